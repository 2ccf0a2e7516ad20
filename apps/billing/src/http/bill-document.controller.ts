import { Controller, Get, NotAcceptableException, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotAcceptableResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BillDocumentFormat, GetBillDocumentUseCase } from '@cec/billing-application';
import { renderBillDocumentHtml } from '../documents/bill-document.html-renderer';
import { renderBillDocumentPdf } from '../documents/bill-document.pdf-renderer';
import { BillDocumentQueryDto, IdParamsDto } from './billing.dto';

const MEDIA_TYPES: Record<BillDocumentFormat, string> = { html: 'text/html', pdf: 'application/pdf' };

/**
 * The format asked for: `?format` when given, else the one of text/html and application/pdf the
 * Accept header prefers (by quality; HTML on a tie, with `*\/*` or with no Accept header); neither: 406.
 */
export function negotiateDocumentFormat(
  format: BillDocumentFormat | undefined,
  accepts: (types: string[]) => string | false,
): BillDocumentFormat {
  if (format) return format;
  const chosen = accepts([MEDIA_TYPES.html, MEDIA_TYPES.pdf]);
  if (chosen === MEDIA_TYPES.pdf) return 'pdf';
  if (chosen === MEDIA_TYPES.html) return 'html';
  throw new NotAcceptableException({
    code: 'DOCUMENT_FORMAT_NOT_ACCEPTABLE',
    message: 'Accept must allow text/html or application/pdf (or ask with ?format=html or ?format=pdf)',
  });
}

/** Issue 12: a bill as a document for the enterprise, print-ready HTML or PDF. */
@ApiTags('bills')
@ApiBearerAuth()
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED: a malformed id, or a format other than html or pdf' })
@Controller('v1/bills')
export class BillDocumentController {
  constructor(private readonly documents: GetBillDocumentUseCase) {}

  @Get(':id/document')
  @ApiProduces('text/html', 'application/pdf')
  @ApiOkResponse({
    description:
      'the enterprise, the period in UTC+8, each line (product, units × days, quantity-days, days in month, ' +
      'list price per unit per month, discount, list, discount and net amounts), adjustments with the month they ' +
      'correct (R6.2), total, paid, outstanding and the balance after the deduction (R7.4). text/html (UTF-8, ' +
      'print-ready A4 landscape) or application/pdf (an attachment named ' +
      'bill-<period>-<account>.pdf)',
    content: {
      'text/html': { schema: { type: 'string' } },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiNotFoundResponse({ description: 'BILL_NOT_FOUND' })
  @ApiNotAcceptableResponse({
    description:
      'DOCUMENT_FORMAT_NOT_ACCEPTABLE: no ?format and an Accept header allowing neither text/html nor application/pdf',
  })
  async get(
    @Param() { id }: IdParamsDto,
    @Query() { format }: BillDocumentQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const chosen = negotiateDocumentFormat(format, (types) => request.accepts(types));
    const document = await this.documents.execute(id);
    response.setHeader('Vary', 'Accept');
    response.setHeader('Cache-Control', 'private, no-store');
    if (chosen === 'pdf') {
      response.attachment(`${document.fileName}.pdf`);
      response.setHeader('Content-Type', MEDIA_TYPES.pdf);
      return new StreamableFile(await renderBillDocumentPdf(document));
    }
    // the document needs no script, image or font from anywhere: a name that slipped through would run nothing
    response.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    response.setHeader('Content-Type', `${MEDIA_TYPES.html}; charset=utf-8`);
    response.setHeader('Content-Disposition', `inline; filename="${document.fileName}.html"`);
    return new StreamableFile(Buffer.from(renderBillDocumentHtml(document), 'utf8'));
  }
}
