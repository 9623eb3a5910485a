/** Bumped whenever a frame changes incompatibly; sent in the server's hello frame. */
export const PROTOCOL_VERSION = 1;

export const USERNAME_MAX_LENGTH = 64;
export const ACCESS_CODE_MAX_LENGTH = 256;
export const CHAT_TITLE_MAX_LENGTH = 120;
/** A participant's message; long enough for a pasted document, short enough to keep a frame far below the socket limit. */
export const MESSAGE_MAX_LENGTH = 16_000;
export const CLIENT_MSG_ID_MAX_LENGTH = 64;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;
