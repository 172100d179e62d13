import type { BackendContext, BackendResult } from '../backendTypes';
import type { PageOcr } from '../backends/pdf';

/** OCR as the extractor sees it: images, and PDF pages without a text layer. */
export interface OcrService {
  /** Pages it can recognise at once. */
  readonly concurrency: number;
  recognizeImage(data: Buffer, type: string, ctx: BackendContext): Promise<Omit<BackendResult, 'backend'>>;
  recognizePdfPage(page: Parameters<PageOcr>[0], pageNumber: number, ctx: BackendContext): ReturnType<PageOcr>;
}
