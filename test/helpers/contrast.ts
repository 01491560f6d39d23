// Text contrast of the page as the built CSS renders it (WCAG 2 relative luminance). Colours are
// resolved by the browser itself: each computed colour (Tailwind 4 writes oklch) is painted on a
// canvas and read back as sRGB, and translucent backgrounds are composited up the ancestors.
import type { Page } from 'playwright-core';

export interface LowContrast {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

export async function lowContrastTexts(page: Page, minimum = 4.5): Promise<LowContrast[]> {
  // tsx compiles named functions with esbuild's __name helper, which the page does not have.
  await page.evaluate('globalThis.__name ??= (f) => f');
  return page.evaluate((min) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const paint = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgba = (css: string): [number, number, number, number] => {
      paint.clearRect(0, 0, 1, 1);
      paint.fillStyle = '#000';
      paint.fillStyle = css;
      paint.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = paint.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top: [number, number, number, number], under: [number, number, number]): [number, number, number] => [
      top[0] * top[3] + under[0] * (1 - top[3]),
      top[1] * top[3] + under[1] * (1 - top[3]),
      top[2] * top[3] + under[2] * (1 - top[3]),
    ];
    const background = (el: Element | null): [number, number, number] => {
      const layers: [number, number, number, number][] = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      return layers.reduceRight<[number, number, number]>((under, top) => over(top, under), [255, 255, 255]);
    };
    const luminance = ([r, g, b]: [number, number, number]) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const failures: { text: string; ratio: number; color: string; background: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !node.textContent?.trim()) continue;
      seen.add(el);
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      // Invisible, screen-reader-only and disabled text are outside the rule.
      if (rect.width <= 1 || rect.height <= 1 || style.visibility === 'hidden' || el.closest(':disabled, [aria-hidden=true], option, script, style')) continue;
      if (el.closest('dialog:not([open])')) continue;
      const bg = background(el);
      const fg = over(rgba(style.color), bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < min) failures.push({ text: node.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100, color: style.color, background: `rgb(${bg.map(Math.round).join(',')})` });
    }
    return failures;
  }, minimum);
}
