// A Vite build step that puts the built script and stylesheet inside index.html, so that the MCP
// Apps view is one self-contained file: a host loads it into a sandboxed iframe with no server to
// fetch anything else from.
import type { Plugin } from 'vite';

/** `</script` inside inlined code would end the script element early. */
const safeScript = (code: string) => code.replace(/<\/script/gi, '<\\/script');

export function inlineIntoHtml(): Plugin {
  return {
    name: 'visualref:inline-into-html',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).find((file) => file.type === 'asset' && file.fileName.endsWith('.html'));
      if (!html || html.type !== 'asset') this.error('no HTML page in the bundle');
      let page = String(html.source);
      for (const file of Object.values(bundle)) {
        const escaped = file.fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (file.type === 'chunk') {
          const tag = new RegExp(`<script type="module"[^>]*src="[^"]*${escaped}"[^>]*></script>`);
          if (!tag.test(page)) this.error(`${file.fileName} is a second script chunk: the view must build to one`);
          page = page.replace(tag, () => `<script type="module">${safeScript(file.code)}</script>`);
          delete bundle[file.fileName];
        } else if (file.fileName.endsWith('.css')) {
          const tag = new RegExp(`<link rel="stylesheet"[^>]*href="[^"]*${escaped}"[^>]*>`);
          page = page.replace(tag, () => `<style>${String(file.source)}</style>`);
          delete bundle[file.fileName];
        }
      }
      html.source = page;
    },
  };
}
