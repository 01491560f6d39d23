// A modal dialog on the native <dialog>: the browser traps focus and keeps the page behind inert;
// Esc closes it, and focus goes back to what opened it.
import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}

export function Modal({ title, onClose, children, className }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    // The dialog leaves the page when it closes, so the browser cannot give focus back by itself.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className={`m-auto rounded-xl bg-white p-0 shadow-2xl backdrop:bg-slate-900/60 ${className ?? 'w-[min(40rem,95vw)]'}`}
    >
      <div className="flex items-center justify-between border-b border-slate-200 px-4 py-2">
        <h2 className="font-semibold">{title}</h2>
        <button type="button" onClick={onClose} className="min-h-11 min-w-11 rounded px-2 py-1 text-slate-700 hover:bg-slate-100" aria-label="Close">
          ✕
        </button>
      </div>
      {children}
    </dialog>
  );
}
