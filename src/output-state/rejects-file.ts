import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import type { Reject } from '../util/reject-sink.js';

/** File name of the skipped-records log inside an output folder. */
export const REJECTS_FILE = 'rejects.jsonl';

/** One line of rejects.jsonl. */
export function rejectLine(r: Reject): string {
  return `${JSON.stringify({ reason: r.reason, ...r.location, detail: r.detail, documents: r.documents })}\n`;
}

/**
 * `rejects.jsonl`, appended synchronously line by line so that its length is known at every
 * document (a checkpoint records it, and a resumed build truncates the file back to it before
 * appending again). Opened lazily: a build without rejects leaves no file.
 */
export class RejectsFile {
  readonly path: string;
  private fd: number | undefined;
  /** Bytes in the file (as written by this object, after any truncation). */
  bytes = 0;
  /** Lines in the file. */
  lines = 0;

  constructor(dir: string) {
    this.path = path.join(dir, REJECTS_FILE);
  }

  /** Appends one reject. */
  append(r: Reject): void {
    const line = Buffer.from(rejectLine(r));
    // Never through a link: the name is skein's own file in the output folder.
    this.fd ??= fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
    let off = 0;
    while (off < line.length) off += fs.writeSync(this.fd, line, off);
    this.bytes += line.length;
    this.lines++;
  }

  /**
   * Cuts the file back to `bytes` / `lines` (a resumed build: what the checkpoint had), or removes
   * it when `bytes` is 0.
   */
  truncateTo(bytes: number, lines: number): void {
    this.close();
    if (bytes === 0) fs.rmSync(this.path, { force: true });
    else {
      const fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
      try {
        const have = fs.fstatSync(fd).size;
        if (have < bytes) throw new UserError(`${this.path} has ${have} bytes, fewer than the ${bytes} its checkpoint recorded (the folder was modified); pass --overwrite to start the build over`);
        fs.ftruncateSync(fd, bytes);
      } finally {
        fs.closeSync(fd);
      }
    }
    this.bytes = bytes;
    this.lines = lines;
  }

  /** Flushes the file to disk (before a checkpoint that records its length). */
  sync(): void {
    if (this.fd !== undefined) fs.fsyncSync(this.fd);
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
