import { documentPath } from './download';

describe('#12 console bill documents', () => {
  it('asks billing for GET /v1/bills/:id/document, ?format=pdf for the PDF (no token in the path)', () => {
    expect(documentPath('bill_1', 'html')).toBe('/v1/bills/bill_1/document');
    expect(documentPath('bill_1', 'pdf')).toBe('/v1/bills/bill_1/document?format=pdf');
    expect(documentPath('a/b', 'pdf')).toBe('/v1/bills/a%2Fb/document?format=pdf');
  });
});
