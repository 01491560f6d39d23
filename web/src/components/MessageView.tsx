// One message of the thread. User turns show what was asked (text, image, marks, boxes); answers
// show each tool call as it runs and its results as a grid.
import { thumbUrl } from '../api.ts';
import type { PendingFeedback } from '../state/feedback.ts';
import type { ChatMessage, Mark, ResultItem } from '../types.ts';
import { Explanation } from './Explanation.tsx';
import { FeedbackChip } from './FeedbackChip.tsx';
import { GeneratedPicture } from './GeneratedPicture.tsx';
import { ResultGrid } from './ResultGrid.tsx';
import { SaliencyMaps } from './SaliencyMaps.tsx';
import { Spinner } from './Spinner.tsx';

export interface GridHandlers {
  feedback: PendingFeedback;
  onMark: (imageId: number, mark: Mark | undefined) => void;
  onOpen: (item: ResultItem, results: ResultItem[], turn: number) => void;
  onMoreLikeThis: (imageId: number) => void;
  busy: boolean;
}

type Part = ChatMessage['parts'][number];

function UserMessage({ message }: { message: ChatMessage }) {
  const request = message.metadata?.request;
  return (
    <div className="ml-auto max-w-[85%] space-y-2 rounded-xl bg-indigo-600 px-4 py-2 text-white" data-testid="user-message">
      {message.parts.map((part, i) => {
        if (part.type === 'text' && part.text) return <p key={i}>{part.text}</p>;
        if (part.type === 'file') return <img key={i} src={part.url} alt="Image you added" className="max-h-40 rounded" />;
        return null;
      })}
      {request?.action === 'search' && request.imageId !== undefined && (
        <p className="flex items-center gap-2 text-sm">
          <img src={thumbUrl(request.imageId, 96)} alt="" className="h-10 w-10 rounded object-cover" /> More like this image
        </p>
      )}
      {request?.action === 'refine' && (
        <ul className="flex flex-wrap gap-1 text-xs" aria-label="Feedback sent">
          {request.relevant.map((id) => (
            <FeedbackChip key={`r${id}`} imageId={id} relevant label="relevant" />
          ))}
          {request.irrelevant.map((id) => (
            <FeedbackChip key={`i${id}`} imageId={id} relevant={false} label="irrelevant" />
          ))}
          {request.regions.map((r, i) => (
            <FeedbackChip key={`b${i}`} imageId={r.imageId} relevant={r.relevant} label={`box ${r.relevant ? '+' : '−'} ${r.caption ?? ''}`} />
          ))}
          {Boolean(request.removeRegions?.length) && (
            <li className="rounded bg-indigo-900 px-1.5 py-0.5">
              {request.removeRegions!.length} earlier box{request.removeRegions!.length > 1 ? 'es' : ''} removed
            </li>
          )}
          {request.relevant.length + request.irrelevant.length + request.regions.length + (request.removeRegions?.length ?? 0) === 0 && <li>Refined with the comment only</li>}
        </ul>
      )}
    </div>
  );
}

function ToolPart({ part, latest, grid }: { part: Part; latest: boolean; grid: GridHandlers }) {
  if (part.type !== 'tool-search' && part.type !== 'tool-refine-query' && part.type !== 'tool-caption-region' && part.type !== 'tool-visualize-query') return null;
  const name = part.type.slice('tool-'.length);
  if (part.state === 'input-streaming' || part.state === 'input-available') {
    return (
      <div className="text-sm text-slate-600" data-testid="tool-running">
        <Spinner label={`Running ${name}…`} />
      </div>
    );
  }
  if (part.state === 'output-error') {
    return (
      <div role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-900">
        {name} failed: {part.errorText}
      </div>
    );
  }
  if (part.state !== 'output-available') return null;
  if (part.type === 'tool-visualize-query') return <GeneratedPicture visualization={part.output} latest={latest} />;
  if (part.type === 'tool-caption-region') {
    return <p className="text-sm text-slate-700">Caption of the region: “{part.output.caption}”</p>;
  }
  const output = part.output;
  // Earlier turns fold away to one line (still there to compare, one click to open).
  return (
    <details open={latest} className="space-y-2" data-testid="turn-results">
      <summary className="flex min-h-11 cursor-pointer items-center text-xs text-slate-600 sm:min-h-0">
        {name} · turn {output.turn} · {output.results.length} results{latest ? '' : ' (earlier turn: open to see them)'}
      </summary>
      {part.type === 'tool-refine-query' && <Explanation explanation={part.output.explanation} />}
      {part.type === 'tool-refine-query' && part.output.visualization && <GeneratedPicture visualization={part.output.visualization} latest={latest} />}
      {part.type === 'tool-refine-query' && part.output.saliency && <SaliencyMaps saliency={part.output.saliency} />}
      <ResultGrid results={output.results} turn={output.turn} latest={latest} {...grid} />
    </details>
  );
}

export function MessageView({ message, latest, grid }: { message: ChatMessage; latest: boolean; grid: GridHandlers }) {
  if (message.role === 'user') return <UserMessage message={message} />;
  return (
    <div className="space-y-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200" data-testid="assistant-message">
      {message.parts.map((part, i) => {
        if (part.type === 'text') return <p key={i}>{part.text}</p>;
        return <ToolPart key={i} part={part} latest={latest} grid={grid} />;
      })}
      {message.metadata?.elapsedMs !== undefined && (
        <p className="text-xs text-slate-600">
          {message.metadata.mode === 'model' || message.metadata.mode === 'llama' ? `${message.metadata.mode} ${message.metadata.model ?? ''}` : 'deterministic agent'} · {message.metadata.elapsedMs} ms
        </p>
      )}
    </div>
  );
}
