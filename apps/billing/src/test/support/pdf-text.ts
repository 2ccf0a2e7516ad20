import { execFile } from 'node:child_process';

// pdf-parse (pdf.js) loads its worker with a dynamic import(), which jest's module system refuses
// without --experimental-vm-modules; a child Node process reads the PDF instead.
const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  try {
    const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
    const result = await parser.getText();
    await parser.destroy();
    process.stdout.write(JSON.stringify({ text: result.text, pages: result.total }));
  } catch (error) {
    process.stderr.write(String(error && error.stack || error));
    process.exit(1);
  }
});`;

export interface PdfText {
  text: string;
  pages: number;
}

/** The text of a PDF as pdf-parse reads it back (cells of a row separated by tabs). */
export function pdfText(pdf: Buffer): Promise<PdfText> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['-e', SCRIPT],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`pdf-parse failed: ${stderr || String(error)}`));
        else resolve(JSON.parse(stdout) as PdfText);
      },
    );
    child.stdin?.end(pdf);
  });
}
