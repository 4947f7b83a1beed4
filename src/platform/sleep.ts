/**
 * A promise that settles after `ms`. A plain timer, not node:timers/promises: the lock, the HTTP
 * client and the keychain would have every command that loads them load that module too.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
