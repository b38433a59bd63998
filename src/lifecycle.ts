/** Whether the process is shutting down; readiness turns 503 as soon as it is. */
export class Lifecycle {
  #stopping = false;

  get stopping(): boolean {
    return this.#stopping;
  }

  beginShutdown(): void {
    this.#stopping = true;
  }
}
