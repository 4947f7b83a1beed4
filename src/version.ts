declare const __T0KEN_VERSION__: string | undefined;

/** Injected by the build; the dev fallback shows up only when running sources directly (tests). */
export const VERSION: string = typeof __T0KEN_VERSION__ === 'string' ? __T0KEN_VERSION__ : '0.0.0-dev';

export const userAgent = (): string => `t0ken/${VERSION} node/${process.versions.node} ${process.platform}`;

export const DOCS_URL = 'https://github.com/t0ken/t0ken#readme';
