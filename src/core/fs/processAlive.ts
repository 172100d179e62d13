/**
 * Whether a process of this machine is running: `kill(pid, 0)` checks without signalling. EPERM means it exists
 * but belongs to another user (alive); ESRCH means it is gone. Used to judge markers and locks left by a process.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
