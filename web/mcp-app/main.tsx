// Entry of the MCP Apps view: connect to the host (postMessage to the parent window), then render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '@modelcontextprotocol/ext-apps';
import './index.css';
import { ErrorBoundary } from '../src/components/ErrorBoundary.tsx';
import { ResultsView } from './ResultsView.tsx';
import { toolResultFeed } from './tool-result-feed.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const app = new App({ name: 'visualref results view', version: '0.1.0' }, {}, { autoResize: true });
const feed = toolResultFeed(app);
app.connect().catch((err: unknown) => {
  root.textContent = `Could not connect to the MCP host: ${err instanceof Error ? err.message : String(err)}`;
});
createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <ResultsView app={app} feed={feed} />
    </ErrorBoundary>
  </StrictMode>,
);
