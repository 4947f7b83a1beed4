import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandProbe } from './real-part.js';

/** For requirePart('tmux', tmuxProbe). */
export const tmuxProbe = commandProbe('tmux', ['-V']);

export interface TmuxOptions {
  /** The shell command the pane runs (through `sh -c`). */
  command: string;
  /** The whole environment of the pane (nothing is inherited but what is given). */
  env: Record<string, string>;
  cwd?: string;
  width?: number;
  height?: number;
}

/**
 * A real terminal: a tmux server of its own (own socket, own config), one pane running `command`.
 * Keys go in with send-keys; the screen comes back with capture-pane. The pane stays after its
 * command ends, so its exit status can be read.
 */
export class Tmux {
  private readonly dir: string;
  private readonly socket: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = join(dir, 'sock');
  }

  static start(options: TmuxOptions): Tmux {
    const dir = mkdtempSync(join(tmpdir(), 't0ken-tmux-'));
    const tmux = new Tmux(dir);
    const conf = join(dir, 'tmux.conf');
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 2000\nset -g status off\n');
    const env = { TERM: 'xterm-256color', ...options.env };
    execFileSync('tmux', ['-S', tmux.socket, '-f', conf, 'new-session', '-d', '-s', 't', '-x', String(options.width ?? 120), '-y', String(options.height ?? 30), ...(options.cwd ? ['-c', options.cwd] : []), options.command], { env, stdio: 'ignore' });
    return tmux;
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 't', '-l', text]);
  }

  /** Sends key names: 'Enter', 'C-c', 'C-t', 'Tab'. */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', 't', ...names]);
  }

  /** The screen as text (trailing blanks trimmed), with the scrollback. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-200', '-t', 't']).replace(/\s+$/, '');
  }

  /** Waits until the screen matches; fails with the screen in the message. */
  waitFor(pattern: RegExp | string, timeoutMs = 8000): Promise<string> {
    return this.waitUntil((screen) => (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)), String(pattern), timeoutMs);
  }

  /** Waits until `test` holds for the screen (`what` names it in the failure, with the screen). */
  async waitUntil(test: (screen: string) => boolean, what: string, timeoutMs = 8000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const screen = this.screen();
      if (test(screen)) return screen;
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }

  /** The pane command's exit status, once it has ended. */
  async exitStatus(timeoutMs = 8000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const [dead, status] = this.tmux(['display-message', '-p', '-t', 't', '#{pane_dead} #{pane_dead_status}']).trim().split(' ');
      if (dead === '1') return Number(status);
      if (Date.now() - started > timeoutMs) throw new Error(`the pane did not end; the screen:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }

  /** Resizes the window, as a user dragging the terminal's corner (the pane gets SIGWINCH). */
  resize(width: number, height: number): void {
    this.tmux(['resize-window', '-t', 't', '-x', String(width), '-y', String(height)]);
  }

  stop(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
