// Who we are, as the API's Vipps-System-* headers and the reports name us (package.json).
import pkg from '../../package.json' with { type: 'json' };

/** The API allows at most 30 characters in each Vipps-System-* header. */
export const SYSTEM_HEADER_MAX_LENGTH = 30;
export const TOOL_NAME = pkg.name;
export const TOOL_VERSION = pkg.version;
