import type { CounterFamily, CounterSeries } from './counter-family';
import type { HistogramFamily, HistogramSeries } from './histogram-family';
import { codeLabel, grpcTypeOf, type MethodLabels, type MethodShape } from './labels';

/** One side's (server or client) families, as go-grpc-prometheus names them. */
export interface MethodFamilies {
  started: CounterFamily<keyof MethodLabels>;
  handled: CounterFamily<keyof MethodLabels | 'grpc_code'>;
  msgReceived: CounterFamily<keyof MethodLabels>;
  msgSent: CounterFamily<keyof MethodLabels>;
  seconds: HistogramFamily<keyof MethodLabels>;
}

/** The highest gRPC status code (UNAUTHENTICATED). */
const MAX_CODE = 16;

/** One method's series on one side: started, handled by code, messages, handling seconds. */
export class MethodSeries {
  readonly started: CounterSeries;
  readonly msgReceived: CounterSeries;
  readonly msgSent: CounterSeries;
  readonly seconds: HistogramSeries;
  private readonly byCode: (CounterSeries | undefined)[] = new Array<CounterSeries | undefined>(MAX_CODE + 1).fill(undefined);

  constructor(
    private readonly families: MethodFamilies,
    readonly labels: Readonly<MethodLabels>,
  ) {
    this.started = families.started.series(labels);
    this.msgReceived = families.msgReceived.series(labels);
    this.msgSent = families.msgSent.series(labels);
    this.seconds = families.seconds.series(labels);
  }

  /** The handled series of a status code. */
  handled(code: number): CounterSeries {
    if (code >= 0 && code <= MAX_CODE && Number.isInteger(code)) return (this.byCode[code] ??= this.families.handled.series({ ...this.labels, grpc_code: codeLabel(code) }));
    return this.families.handled.series({ ...this.labels, grpc_code: codeLabel(code) });
  }

  /** Whether these series are the ones of a method of that shape (same grpc_type). */
  fits(method: MethodShape): boolean {
    return this.labels.grpc_type === grpcTypeOf(method);
  }
}
