/** Words wrapped to the CLI help's width, indented like its command entries. */
export function wrap(text: string, width = 116, indent = '      '): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(`${indent}${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, `${indent}${line}`].join('\n');
}
