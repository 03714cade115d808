import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

/**
 * Ink re-lays out on resize but does not re-render the tree; the dashboard sizes its list to the rows, so it
 * listens itself and re-renders with the new size.
 */
export interface TerminalSize {
  columns: number;
  rows: number;
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // read() closes over stdout only, which is the dependency.
  }, [stdout]);
  return size;
}
