// A pause switch for a long loop: the loop awaits pass() between steps.
export class Gate {
  private open = true
  private waiters: (() => void)[] = []

  get paused(): boolean {
    return !this.open
  }

  pause(): void {
    this.open = false
  }

  resume(): void {
    this.open = true
    for (const w of this.waiters.splice(0)) w()
  }

  pass(): Promise<void> {
    return this.open ? Promise.resolve() : new Promise((r) => this.waiters.push(r))
  }
}
