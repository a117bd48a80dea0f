export { domainOf } from '../../../../lib/auth/principal';
export { getSettings, updateSettings } from './settings';
export { defaultSettings, ensureSettings, readSettings, settingsIn } from './settings-store';
export { ATTRIBUTION_MODES, SETTINGS_LIMITS, validateSettingsChange, type SettingsChange } from './validate-settings';
