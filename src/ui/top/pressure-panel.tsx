import { Box, Text } from 'ink';
import type { Line, Tone } from './pressure-lines.js';

/** The pressure lines with their tones as colours; each line is cut (never wrapped) at the terminal's edge. */
const TONES: Record<Tone, { color?: string; dimColor?: boolean; bold?: boolean }> = {
  ok: { color: 'green' },
  warn: { color: 'yellow' },
  bad: { color: 'red', bold: true },
  dim: { dimColor: true },
  label: { bold: true },
};

export function PressurePanel({ lines }: { lines: Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line.map((seg, j) => (
            <Text key={j} {...(seg.tone ? TONES[seg.tone] : {})}>
              {seg.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
