const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name]));
}

let installed = false;

/**
 * Node 20's fetch ignores HTTPS_PROXY. When a proxy variable is set, route fetch through undici's
 * EnvHttpProxyAgent (which also honours NO_PROXY). undici is loaded only then: it costs ~50 ms.
 */
export async function installProxyIfConfigured(env: NodeJS.ProcessEnv): Promise<void> {
  if (installed || !proxyConfigured(env)) return;
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import('undici');
  setGlobalDispatcher(
    new EnvHttpProxyAgent({
      httpProxy: env.HTTP_PROXY || env.http_proxy,
      httpsProxy: env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy,
      noProxy: env.NO_PROXY ?? env.no_proxy,
    }),
  );
  installed = true;
}
