// Which feedback sources are used and how strongly; defaults come from configs/feedback.yaml.
import { feedbackSources, sourceLabels } from '../../../engine/feedback/sources.ts';
import type { ChatSettings } from '../types.ts';
import { Modal } from './Modal.tsx';

interface Props {
  settings: ChatSettings;
  onChange: (settings: ChatSettings) => void;
  onReset: () => void;
  onClose: () => void;
}

function Slider({ label, value, onChange, disabled }: { label: string; value: number; onChange: (v: number) => void; disabled?: boolean }) {
  return (
    <label className={`flex items-center gap-2 text-sm ${disabled ? 'opacity-50' : ''}`}>
      <span className="w-28 shrink-0">{label}</span>
      <input type="range" min={0} max={1} step={0.05} value={value} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))} className="flex-1" />
      <span className="w-10 text-right tabular-nums">{value.toFixed(2)}</span>
    </label>
  );
}

function NumberField({ label, value, min, max, step, onChange }: { label: string; value: number; min: number; max: number; step: number; onChange: (v: number) => void }) {
  return (
    <label className="flex items-center justify-between gap-2 text-sm">
      <span>{label}</span>
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v) && v >= min && v <= max) onChange(v);
        }}
        className="w-24 rounded border border-slate-300 px-2 py-0.5 text-right"
      />
    </label>
  );
}

export function SettingsPanel({ settings, onChange, onReset, onClose }: Props) {
  const set = (patch: Partial<ChatSettings>) => onChange({ ...settings, ...patch });
  return (
    <Modal title="Feedback settings" onClose={onClose}>
      <div className="max-h-[75vh] space-y-4 overflow-auto p-4" data-testid="settings-panel">
        <fieldset className="space-y-2">
          <legend className="mb-1 font-medium">Results</legend>
          <NumberField label="Results per turn" value={settings.k} min={1} max={100} step={1} onChange={(k) => set({ k })} />
        </fieldset>
        <fieldset className="space-y-2">
          <legend className="mb-1 font-medium">Feedback sources and weights</legend>
          <Slider label="Current query (α)" value={settings.weights.alpha} onChange={(alpha) => set({ weights: { ...settings.weights, alpha } })} />
          {feedbackSources.map((source) => (
            <div key={source} className="flex items-center gap-2">
              <input
                id={`source-${source}`}
                type="checkbox"
                checked={settings.sources[source]}
                onChange={(e) => set({ sources: { ...settings.sources, [source]: e.target.checked } })}
              />
              <div className="flex-1">
                <label htmlFor={`source-${source}`} className="text-sm">
                  {sourceLabels[source]}
                </label>
                <Slider
                  label="weight"
                  value={settings.weights[source]}
                  disabled={!settings.sources[source]}
                  onChange={(v) => set({ weights: { ...settings.weights, [source]: v } })}
                />
              </div>
            </div>
          ))}
        </fieldset>
        <fieldset className="space-y-2">
          <legend className="mb-1 font-medium">Refinement</legend>
          <NumberField label="Temperature (τ)" value={settings.temperature} min={0.001} max={10} step={0.01} onChange={(temperature) => set({ temperature })} />
          <p className="flex items-center justify-between gap-2 text-sm" title="rocchio.k in configs/feedback.yaml: the refine-query tool takes no per-turn override">
            <span>Feedback depth (top K, from configs/feedback.yaml)</span>
            <span className="w-24 pr-2 text-right tabular-nums">{settings.depth}</span>
          </p>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={settings.excludeSeen} onChange={(e) => set({ excludeSeen: e.target.checked })} /> Exclude images already seen
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={settings.fuseQuery} onChange={(e) => set({ fuseQuery: e.target.checked })} /> Fuse the original query into each turn
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={settings.visualize ?? false} onChange={(e) => set({ visualize: e.target.checked })} data-testid="setting-visualize" /> Draw what I think you are looking for, and search with the picture
          </label>
        </fieldset>
        <div className="flex justify-between">
          <button type="button" onClick={onReset} className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-50">
            Reset to defaults
          </button>
          <button type="button" onClick={onClose} className="rounded bg-indigo-600 px-3 py-1 text-white">
            Done
          </button>
        </div>
      </div>
    </Modal>
  );
}
