import * as fs from 'node:fs';
import * as path from 'node:path';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder's LOCK file so that two stores never write the same folder. A lock
 * left by a process that is gone (or by an earlier run that had this process's id, as after
 * a container restart) is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const real = fs.realpathSync(dir);
  if (heldHere.has(real)) throw new Error(`embedded store: data folder ${dir} is already open in this process`);
  const file = path.join(dir, 'LOCK');
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new Error(`embedded store: data folder ${dir} is in use by process ${holder}`, { cause: err });
    }
    fs.writeFileSync(file, String(process.pid));
  }
  heldHere.add(real);
  return () => {
    heldHere.delete(real);
    fs.rmSync(file, { force: true });
  };
}
