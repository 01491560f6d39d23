// Client-side view of the chat protocol (types only: the bundle does not carry zod).
import type { UIDataTypes, UIMessage } from 'ai';
import type { AssistantMetadata, BoxFeedback, ChatSettings, ChatUITools, UserMetadata } from '../../agent/chat/protocol.ts';
import type { ActiveRegion, ResultItem, RefineQueryOutput } from '../../tools/contract/schemas.ts';
import type { Box } from '../../engine/types.ts';

export type { ActiveRegion, BoxFeedback, ChatSettings, UserMetadata, Box, ResultItem, RefineQueryOutput };

export type MessageMetadata = Partial<UserMetadata> & Partial<AssistantMetadata>;
export type ChatMessage = UIMessage<MessageMetadata, UIDataTypes, ChatUITools>;

export type Mark = 'relevant' | 'irrelevant';

/** A box the user drew, in pixels of the original image, with its (possibly edited) caption. */
export interface DraftBox {
  key: string;
  imageId: number;
  box: Box;
  relevant: boolean;
  caption: string;
  captionState: 'pending' | 'done' | 'error';
  captionError?: string;
  /** The user typed in the caption: a later automatic caption must not overwrite it. */
  edited: boolean;
}

export interface AgentInfo {
  mode: 'deterministic' | 'model' | 'llama';
  model?: string;
}

export interface LibraryStatus {
  images: number;
  model: string;
  /** Set when the built-in model indexes pictures that are not world scenes. */
  warning?: string;
  captioning?: { done: number; total: number; running: boolean };
  agent: AgentInfo;
}

export interface SessionSummary {
  id: string;
  /** The first query, or the name the user gave the session. */
  title: string;
  turns: number;
  updatedAt: string;
  /** Top result of the last turn, shown as the session's picture. */
  thumbId?: number;
}
