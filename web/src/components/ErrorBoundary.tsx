// Never a blank page: a render error shows what went wrong and a way back.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Shown above the message, e.g. which part of the page failed. */
  label?: string;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="m-4 rounded-lg border border-red-300 bg-red-50 p-4 text-red-900">
        <p className="font-semibold">{this.props.label ?? 'Something went wrong.'}</p>
        <pre className="mt-2 whitespace-pre-wrap text-sm">{this.state.error.message}</pre>
        <div className="mt-3 flex gap-2">
          <button type="button" className="rounded bg-red-700 px-3 py-1 text-white" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
          <button type="button" className="rounded border border-red-700 px-3 py-1" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </div>
      </div>
    );
  }
}
