import { TOOL_NAME, TOOL_VERSION } from '../base/tool.ts';

/** The four `Vipps-System-*` headers every request carries; the API allows at most 30 characters each. */
export interface SystemHeaders {
  'Vipps-System-Name': string;
  'Vipps-System-Version': string;
  'Vipps-System-Plugin-Name': string;
  'Vipps-System-Plugin-Version': string;
}

/** The plugin pair may name the merchant's deployment (config `pluginName`/`pluginVersion`). */
export function systemHeaders(plugin: { name: string; version: string }): SystemHeaders {
  return {
    'Vipps-System-Name': TOOL_NAME,
    'Vipps-System-Version': TOOL_VERSION,
    'Vipps-System-Plugin-Name': plugin.name,
    'Vipps-System-Plugin-Version': plugin.version,
  };
}
