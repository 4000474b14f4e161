import pkg from '../../package.json' with { type: 'json' };

/** The four `Vipps-System-*` headers every request carries; the API allows at most 30 characters each. */
export interface SystemHeaders {
  'Vipps-System-Name': string;
  'Vipps-System-Version': string;
  'Vipps-System-Plugin-Name': string;
  'Vipps-System-Plugin-Version': string;
}

export const SYSTEM_HEADER_MAX_LENGTH = 30;
export const TOOL_NAME = pkg.name;
export const TOOL_VERSION = pkg.version;

/** The plugin pair may name the merchant's deployment (config `pluginName`/`pluginVersion`). */
export function systemHeaders(plugin: { name: string; version: string }): SystemHeaders {
  return {
    'Vipps-System-Name': TOOL_NAME,
    'Vipps-System-Version': TOOL_VERSION,
    'Vipps-System-Plugin-Name': plugin.name,
    'Vipps-System-Plugin-Version': plugin.version,
  };
}
