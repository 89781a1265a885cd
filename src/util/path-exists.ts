import { stat } from 'node:fs/promises';

/** Whether a file or folder exists at `p`. */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
