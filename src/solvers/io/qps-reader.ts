/**
 * Line reader for (Q)MPS files: turns the sections of a fixed or free MPS file into
 * a QpsModel (names, triplets, right-hand sides, ranges, bounds). qps.ts builds the
 * QpProblem from it. Conventions are documented in docs/problem-format.md.
 */
import { ProblemFormatError, boundValue, echo } from './errors';
import {
  SECTIONS,
  UNSUPPORTED,
  fixedFields,
  freeFields,
  parseMpsNumber,
  type MpsLayout,
  type LineFail,
} from './qps-fields';

export type { MpsLayout } from './qps-fields';

type RowType = 'N' | 'E' | 'L' | 'G';

/** Everything a QPS file says, by row and column index. */
export interface QpsModel {
  name: string;
  /** Constraint rows (N rows other than the objective are dropped). */
  rowNames: string[];
  rowTypes: ('E' | 'L' | 'G')[];
  colNames: string[];
  /** Constraint matrix entries (row, col, value). */
  aTriplets: [number, number, number][];
  /** Linear cost c. */
  c: number[];
  /** Objective constant r = −(RHS of the objective row). */
  r: number;
  rhs: number[];
  /** RANGES value R per row, undefined where none. */
  range: (number | undefined)[];
  lower: number[];
  upper: number[];
  /** Whether a BOUNDS line set the lower bound (for the negative-UP rule). */
  lowerSet: boolean[];
  /** Whether the upper bound came from UP with a negative value. */
  negativeUp: boolean[];
  /** Full symmetric Q as entries (i, j, value); both (i, j) and (j, i) present. */
  qTriplets: [number, number, number][];
  warnings: string[];
}

/** Reads one file; call `line` for each line, then `finish`. */
export class QpsReader {
  readonly model: QpsModel = {
    name: '',
    rowNames: [],
    rowTypes: [],
    colNames: [],
    aTriplets: [],
    c: [],
    r: 0,
    rhs: [],
    range: [],
    lower: [],
    upper: [],
    lowerSet: [],
    negativeUp: [],
    qTriplets: [],
    warnings: [],
  };
  private section = '';
  private lineNo = 0;
  private readonly seen = new Set<string>();
  private objName: string | undefined;
  private objDeclared: string | undefined;
  /** Row name → constraint index, or -1 for the objective, or -2 for an ignored N row. */
  private readonly rowIndex = new Map<string, number>();
  private readonly colIndex = new Map<string, number>();
  /** Keys of entries already given, to reject duplicates instead of silently overwriting. */
  private readonly aSeen = new Set<string>();
  private readonly vectorSeen = new Set<string>();
  private readonly qSeen = new Map<string, number>();
  private readonly qKind = { full: false };
  private readonly setNames: Record<string, string | undefined> = {};
  private readonly ignoredSets = new Set<string>();
  private ended = false;
  private rowsLine = 0;
  /** Last line that held data or a section header, for the truncation message. */
  private lastLine = 0;

  constructor(
    private readonly layout: MpsLayout,
    private readonly allowTruncated = false,
  ) {}

  private readonly fail: LineFail = (message) => {
    throw new ProblemFormatError(`line ${this.lineNo}: ${message}`);
  };

  private num(token: string | undefined, what: string): number {
    return parseMpsNumber(token, what, this.section, this.fail);
  }

  /** Fields 1–6 of a data line, positioned as in fixed MPS whatever the layout. */
  private fields(text: string): string[] {
    return this.layout === 'fixed'
      ? fixedFields(text, this.fail)
      : freeFields(text, this.section, (name) => this.colIndex.has(name), this.fail);
  }

  private row(name: string): number {
    const i = this.rowIndex.get(name);
    if (i === undefined) this.fail(`unknown row '${echo(name)}' in ${this.section}`);
    return i;
  }

  private col(name: string): number {
    const j = this.colIndex.get(name);
    if (j === undefined) this.fail(`unknown column '${echo(name)}' in ${this.section}`);
    return j;
  }

  line(raw: string): void {
    this.lineNo++;
    const text = raw.replace(/\r$/, '');
    if (this.ended || text.trim() === '' || text.startsWith('*')) return;
    this.lastLine = this.lineNo;
    if (!/^\s/.test(text)) this.header(text);
    else this.data(text);
  }

  private header(text: string): void {
    const tokens = text.trim().split(/\s+/);
    const key = tokens[0].toUpperCase();
    const unsupported = UNSUPPORTED.get(key);
    if (unsupported) this.fail(unsupported);
    if (!SECTIONS.has(key))
      this.fail(`unknown section '${echo(tokens[0])}' (data lines must be indented)`);
    const section = key === 'OBJSENS' ? 'OBJSENSE' : key;
    if (this.seen.has(section)) this.fail(`section ${section} appears twice`);
    if (section === 'OBJNAME' && this.seen.has('ROWS')) this.fail('OBJNAME must come before ROWS');
    const quad = ['QUADOBJ', 'QSECTION', 'QMATRIX'];
    if (quad.includes(section) && quad.some((q) => this.seen.has(q)))
      this.fail(`${section} after another quadratic section`);
    if (this.section === 'ROWS') this.endRows();
    this.seen.add(section);
    this.section = section;
    if (section === 'ROWS') this.rowsLine = this.lineNo;
    if (section === 'ENDATA') this.ended = true;
    if (section === 'NAME')
      this.model.name = this.layout === 'fixed' ? text.slice(14).trim() : tokens.slice(1).join(' ');
    else if (section === 'QSECTION' && tokens[1] !== undefined && tokens[1] !== this.objName) {
      this.fail(`QSECTION ${echo(tokens[1])}: only the objective row can have a quadratic part`);
    } else if (tokens.length > 1 && (section === 'OBJSENSE' || section === 'OBJNAME'))
      this.data(' ' + tokens.slice(1).join(' '));
    else if (tokens.length > 1 && section !== 'QSECTION')
      this.fail(`unexpected text after ${section}`);
  }

  private endRows(): void {
    if (this.objName === undefined) {
      this.lineNo = this.rowsLine;
      this.fail(
        this.objDeclared
          ? `OBJNAME row '${echo(this.objDeclared)}' is not an N row in ROWS`
          : 'ROWS has no N row (the objective)',
      );
    }
  }

  private data(text: string): void {
    if (this.section === '') this.fail('data line before any section header');
    if (text.includes("'MARKER'")) this.marker(text);
    else if (this.section === 'NAME') this.fail('unexpected data line in NAME');
    else if (this.section === 'OBJSENSE') this.objSense(text.trim().toUpperCase());
    else if (this.section === 'OBJNAME') this.objDeclared = text.trim();
    else {
      const f = this.fields(text);
      if (this.section === 'ROWS') this.rowLine(f);
      else if (this.section === 'COLUMNS') this.columnLine(f);
      else if (this.section === 'RHS' || this.section === 'RANGES') this.vectorLine(f);
      else if (this.section === 'BOUNDS') this.boundLine(f);
      else this.quadLine(f);
    }
  }

  private marker(text: string): void {
    const kind = text.trim().split(/\s+/)[2]?.replace(/'/g, '').toUpperCase();
    if (kind === 'INTORG' || kind === 'INTEND')
      this.fail(
        'integer variables (MARKER INTORG) are not supported: this is a continuous QP solver',
      );
    this.fail(`unsupported MARKER '${echo(kind ?? '')}'`);
  }

  private objSense(word: string): void {
    if (word === 'MIN' || word === 'MINIMIZE') return;
    if (word === 'MAX' || word === 'MAXIMIZE')
      this.fail('OBJSENSE MAX is not supported: negate the objective to minimize');
    this.fail(`unknown OBJSENSE '${echo(word)}'`);
  }

  private rowLine([type, name]: string[]): void {
    const t = type.toUpperCase() as RowType;
    if (!name) this.fail('missing row name in ROWS');
    if (!['N', 'E', 'L', 'G'].includes(t))
      this.fail(`unknown row type '${echo(type)}' (expected N, E, L or G)`);
    if (this.rowIndex.has(name)) this.fail(`row '${echo(name)}' defined twice`);
    if (t === 'N') {
      const isObjective =
        this.objName === undefined && (this.objDeclared === undefined || this.objDeclared === name);
      if (isObjective) this.objName = name;
      this.rowIndex.set(name, isObjective ? -1 : -2);
      return;
    }
    const m = this.model;
    this.rowIndex.set(name, m.rowNames.length);
    m.rowNames.push(name);
    m.rowTypes.push(t);
    m.rhs.push(0);
    m.range.push(undefined);
  }

  private columnLine(f: string[]): void {
    const m = this.model;
    const name = f[1];
    if (!name) this.fail('missing column name in COLUMNS');
    let j = this.colIndex.get(name);
    if (j === undefined) {
      j = m.colNames.length;
      this.colIndex.set(name, j);
      m.colNames.push(name);
      m.c.push(0);
      m.lower.push(0);
      m.upper.push(Infinity);
      m.lowerSet.push(false);
      m.negativeUp.push(false);
    }
    if (!f[2]) this.fail(`column '${echo(name)}' has no row entry in COLUMNS`);
    for (const [rowName, value] of [
      [f[2], f[3]],
      [f[4], f[5]],
    ]) {
      if (!rowName) continue;
      const i = this.row(rowName);
      const v = this.num(value, `row '${echo(rowName)}' of column '${echo(name)}'`);
      if (!Number.isFinite(v))
        this.fail(`infinite coefficient for column '${echo(name)}', row '${echo(rowName)}'`);
      const key = `${i}:${j}`;
      if (i !== -2 && this.aSeen.has(key))
        this.fail(`duplicate entry for column '${echo(name)}', row '${echo(rowName)}'`);
      this.aSeen.add(key);
      if (i === -1) m.c[j] = v;
      else if (i >= 0) m.aTriplets.push([i, j, v]);
    }
  }

  /** True when this line belongs to the first set named in the section; later sets are ignored. */
  private inFirstSet(setName: string): boolean {
    const s = this.section;
    if (this.setNames[s] === undefined) this.setNames[s] = setName;
    if (this.setNames[s] === setName) return true;
    if (!this.ignoredSets.has(`${s}:${setName}`)) {
      this.ignoredSets.add(`${s}:${setName}`);
      this.model.warnings.push(
        `line ${this.lineNo}: ${s} set '${echo(setName)}' ignored (only the first set, '${echo(this.setNames[s])}', is used)`,
      );
    }
    return false;
  }

  private vectorLine(f: string[]): void {
    if (!f[2]) this.fail(`missing row name in ${this.section}`);
    if (!this.inFirstSet(f[1])) return;
    const m = this.model;
    for (const [rowName, value] of [
      [f[2], f[3]],
      [f[4], f[5]],
    ]) {
      if (!rowName) continue;
      const i = this.row(rowName);
      const v = this.num(value, `row '${echo(rowName)}'`);
      if (this.vectorSeen.has(`${this.section}:${i}`) && i !== -2)
        this.fail(`duplicate ${this.section} entry for row '${echo(rowName)}'`);
      this.vectorSeen.add(`${this.section}:${i}`);
      if (this.section === 'RHS') {
        if (i === -1) {
          if (!Number.isFinite(boundValue(v)))
            this.fail(`infinite RHS for the objective row '${echo(rowName)}'`);
          m.r = -v; // MPS convention: the objective row's RHS is minus the constant.
        } else if (i >= 0) m.rhs[i] = v;
      } else if (i < 0) {
        m.warnings.push(`line ${this.lineNo}: RANGES entry for N row '${echo(rowName)}' ignored`);
      } else m.range[i] = v;
    }
  }

  private boundLine(f: string[]): void {
    const [type, setName, colName, value] = f;
    if (!colName) this.fail('missing column name in BOUNDS');
    const j = this.col(colName);
    if (!this.inFirstSet(setName)) return;
    const m = this.model;
    const t = type.toUpperCase();
    const v = () => boundValue(this.num(value, `bound of column '${echo(colName)}'`));
    switch (t) {
      case 'UP': {
        const b = v();
        m.upper[j] = b;
        m.negativeUp[j] = b < 0;
        break;
      }
      case 'LO':
        m.lower[j] = v();
        m.lowerSet[j] = true;
        break;
      case 'FX':
        m.lower[j] = m.upper[j] = v();
        m.lowerSet[j] = true;
        m.negativeUp[j] = false;
        if (!Number.isFinite(m.lower[j]))
          this.fail(`FX bound of column '${echo(colName)}' is infinite`);
        break;
      case 'FR':
        m.lower[j] = -Infinity;
        m.upper[j] = Infinity;
        m.lowerSet[j] = true;
        m.negativeUp[j] = false;
        break;
      case 'MI':
        m.lower[j] = -Infinity;
        m.lowerSet[j] = true;
        break;
      case 'PL':
        m.upper[j] = Infinity;
        m.negativeUp[j] = false;
        break;
      case 'BV':
      case 'LI':
      case 'UI':
      case 'SC':
        this.fail(
          `bound type ${t} makes column '${echo(colName)}' integer or semi-continuous, which is not supported`,
        );
        break;
      default:
        this.fail(`unknown bound type '${echo(type)}' (expected UP, LO, FX, FR, MI or PL)`);
    }
  }

  private quadLine(f: string[]): void {
    const [, a, b, value] = f;
    if (!a || !b) this.fail(`${this.section} lines need two column names and a value`);
    const i = this.col(a);
    const j = this.col(b);
    const v = this.num(value, `entry (${echo(a)}, ${echo(b)})`);
    if (!Number.isFinite(v))
      this.fail(`infinite entry (${echo(a)}, ${echo(b)}) in ${this.section}`);
    const full = this.section === 'QMATRIX';
    this.qKind.full = full;
    // QUADOBJ/QSECTION list each unordered pair once; QMATRIX lists (i, j) and (j, i).
    const key = full || i <= j ? `${i}:${j}` : `${j}:${i}`;
    if (this.qSeen.has(key))
      this.fail(`duplicate entry (${echo(a)}, ${echo(b)}) in ${this.section}`);
    this.qSeen.set(key, v);
    this.model.qTriplets.push([i, j, v]);
    if (!full && i !== j) this.model.qTriplets.push([j, i, v]);
  }

  /** Checks that need the whole file; returns the model. */
  finish(): QpsModel {
    if (this.section === 'ROWS') this.endRows();
    if (!this.seen.has('ROWS')) throw new ProblemFormatError('missing ROWS section');
    if (!this.seen.has('COLUMNS')) throw new ProblemFormatError('missing COLUMNS section');
    if (!this.ended) {
      const where = `the file ends in ${this.section} at line ${this.lastLine} without ENDATA`;
      if (!this.allowTruncated)
        throw new ProblemFormatError(`${where}: it may be truncated`, 'truncated');
      this.model.warnings.push(`${where}: it may be truncated; read as it is`);
    }
    if (this.qKind.full) this.checkQmatrixSymmetric();
    return this.model;
  }

  private checkQmatrixSymmetric(): void {
    const names = this.model.colNames;
    for (const [key, v] of this.qSeen) {
      const [i, j] = key.split(':').map(Number);
      const w = this.qSeen.get(`${j}:${i}`) ?? 0;
      if (Math.abs(v - w) > 1e-12 * Math.max(Math.abs(v), Math.abs(w))) {
        throw new ProblemFormatError(
          `QMATRIX is not symmetric: (${echo(names[i])}, ${echo(names[j])}) = ${v} but (${echo(names[j])}, ${echo(names[i])}) = ${w} (QMATRIX lists the full matrix; use QUADOBJ for one triangle)`,
        );
      }
    }
  }
}
