// Fault settings per merchant serial number. A merchant without settings of its own meets the sandbox's
// (`--latency-ms`, …, or POST /_sandbox/faults); POST /_sandbox/faults?msn=… gives one merchant its own: a
// copy of the sandbox's settings with the patch applied, with its own random stream, rate-limit bucket and
// capacity, so one merchant of a fleet can be made to fail while the others are served as before.
import { FaultInjector } from './fault-injector.ts';
import type { SandboxFaults, SandboxFaultsPatch } from './sandbox-options.ts';

export class MerchantFaults {
  readonly #shared: FaultInjector;
  readonly #own = new Map<string, FaultInjector>();

  constructor(faults: SandboxFaults) {
    this.#shared = new FaultInjector(faults);
  }

  /** The faults a request of this merchant meets (the sandbox's unless it has its own). */
  of(merchantSerialNumber: string | undefined): FaultInjector {
    return (merchantSerialNumber !== undefined && this.#own.get(merchantSerialNumber)) || this.#shared;
  }

  /** Patches the sandbox's settings, or one merchant's (ConfigError if invalid: nothing changes). */
  update(patch: SandboxFaultsPatch, merchantSerialNumber?: string): SandboxFaults {
    if (merchantSerialNumber === undefined) return this.#shared.update(patch);
    const injector = this.#own.get(merchantSerialNumber) ?? new FaultInjector(structuredClone(this.#shared.faults));
    const faults = injector.update(patch);
    this.#own.set(merchantSerialNumber, injector);
    return faults;
  }

  /** Back to the state right after start (reset): every random stream and bucket starts again; settings stay. */
  restart(): void {
    this.#shared.restart();
    for (const injector of this.#own.values()) injector.restart();
  }
}
