import { ApiClient } from '../api/api-client';

export type DocumentFormat = 'html' | 'pdf';

/** The bill document's path on the billing app (GET /v1/bills/:id/document, `?format=pdf` for the PDF). */
export function documentPath(billId: string, format: DocumentFormat): string {
  const path = `/v1/bills/${encodeURIComponent(billId)}/document`;
  return format === 'pdf' ? `${path}?format=pdf` : path;
}

/**
 * Downloads a bill document with the token in the Authorization header (a plain link could not
 * carry it, and the token never goes into a URL): fetched, then saved from a blob URL.
 */
export async function downloadDocument(api: ApiClient, billId: string, format: DocumentFormat): Promise<void> {
  const response = await api.raw(
    'billing',
    documentPath(billId, format),
    format === 'pdf' ? 'application/pdf' : 'text/html',
  );
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `bill-${billId}.${format}`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
