/**
 * The files of one `openVirtualMfdataset` call, handed out one at a time to whoever is free:
 * the worker threads and the calling thread take from the same queue, so a fast taker is
 * never left idle while another holds a backlog.
 */
export class FileQueue {
  private next = 0;
  private stopped = false;

  constructor(readonly urls: readonly string[]) {}

  /** The next file to open, or `undefined` when none are left or the queue was stopped. */
  take(): { index: number; url: string } | undefined {
    if (this.stopped || this.next >= this.urls.length) return undefined;
    const index = this.next++;
    return { index, url: this.urls[index] as string };
  }

  /** Hand out nothing more (a file failed with `onError: "raise"`). */
  stop(): void {
    this.stopped = true;
  }

  get empty(): boolean {
    return this.stopped || this.next >= this.urls.length;
  }
}
