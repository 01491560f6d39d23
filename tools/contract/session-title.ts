// How long a session's title may be: the store and the rename route validate it, the web app's
// rename field stops there. No zod here, so the web bundle can import it.
export const maxSessionTitleLength = 120;
