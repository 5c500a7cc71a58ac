/**
 * A `google.protobuf.Struct` written straight to its wire bytes: the same bytes as `toStruct(properties)
 * .serializeBinary()` (map keys sorted, as google-protobuf writes a map; numbers as doubles), without building a
 * google-protobuf message per value first, which took the check's analysis thread ~3 ms per large Kubernetes object.
 * The same values are refused, with the same errors: see `jsonValue` in wire.ts.
 *
 * Struct { map<string, Value> fields = 1 }; Value { oneof: null_value = 1, number_value = 2, string_value = 3,
 * bool_value = 4, struct_value = 5, list_value = 6 }; ListValue { repeated Value values = 1 }
 * (google/protobuf/struct.proto). A map is a repeated entry message { key = 1; value = 2 }.
 */
import { jsonValue } from "./wire";

/** The wire bytes of `properties` as a Struct (wire-form secrets and unknowns are plain JSON already). */
export function encodeStruct(properties: Readonly<Record<string, unknown>>): Uint8Array {
  const checked = jsonValue(properties, "") as Record<string, unknown>;
  const sizes = new Sizes();
  const length = sizes.struct(checked);
  const writer = new Writer(length, sizes);
  writer.struct(checked);
  return writer.bytes;
}

/** `fieldNumber` of a message, length-delimited, holding `bytes`: to append a Struct to an encoded message. */
export function lengthDelimitedField(fieldNumber: number, bytes: Uint8Array): Uint8Array {
  const head = Buffer.alloc(1 + varintSize(fieldNumber << 3) + varintSize(bytes.byteLength));
  let at = writeVarint(head, 0, (fieldNumber << 3) | 2);
  at = writeVarint(head, at, bytes.byteLength);
  return Buffer.concat([head.subarray(0, at), bytes]);
}

/** The sorted keys of each map, and the size of every nested message, in the order `Writer` meets them. */
class Sizes {
  readonly messages: number[] = [];
  readonly keys = new Map<Record<string, unknown>, string[]>();

  struct(value: Record<string, unknown>): number {
    const keys = Object.keys(value).sort();
    this.keys.set(value, keys);
    let size = 0;
    for (const key of keys) {
      const slot = this.messages.push(0) - 1;
      const entry = stringField(key) + this.nested(value[key]);
      this.messages[slot] = entry;
      size += 1 + varintSize(entry) + entry;
    }
    return size;
  }

  /** A Value as a length-delimited field (map entry value 2, list item 1), tag and length included. */
  private nested(value: unknown): number {
    const slot = this.messages.push(0) - 1;
    const size = this.value(value);
    this.messages[slot] = size;
    return 1 + varintSize(size) + size;
  }

  private value(value: unknown): number {
    if (value === null || typeof value === "boolean") return 2;
    if (typeof value === "number") return 9;
    if (typeof value === "string") return stringField(value);
    const slot = this.messages.push(0) - 1;
    let size = 0;
    if (Array.isArray(value)) for (const item of value) size += this.nested(item);
    else size = this.struct(value as Record<string, unknown>);
    this.messages[slot] = size;
    return 1 + varintSize(size) + size;
  }
}

class Writer {
  readonly bytes: Buffer;
  private at = 0;
  private message = 0;

  constructor(
    length: number,
    private readonly sizes: Sizes,
  ) {
    this.bytes = Buffer.allocUnsafe(length);
  }

  struct(value: Record<string, unknown>): void {
    for (const key of this.sizes.keys.get(value)!) {
      this.head(1, this.sizes.messages[this.message++]!);
      this.string(1, key);
      this.nested(2, value[key]);
    }
  }

  private nested(field: number, value: unknown): void {
    this.head(field, this.sizes.messages[this.message++]!);
    this.value(value);
  }

  private value(value: unknown): void {
    if (value === null) {
      this.bytes[this.at++] = (1 << 3) | 0;
      this.bytes[this.at++] = 0;
    } else if (typeof value === "boolean") {
      this.bytes[this.at++] = (4 << 3) | 0;
      this.bytes[this.at++] = value ? 1 : 0;
    } else if (typeof value === "number") {
      this.bytes[this.at++] = (2 << 3) | 1;
      this.at = this.bytes.writeDoubleLE(value, this.at);
    } else if (typeof value === "string") {
      this.string(3, value);
    } else if (Array.isArray(value)) {
      this.head(6, this.sizes.messages[this.message++]!);
      for (const item of value) this.nested(1, item);
    } else {
      this.head(5, this.sizes.messages[this.message++]!);
      this.struct(value as Record<string, unknown>);
    }
  }

  private string(field: number, text: string): void {
    const length = Buffer.byteLength(text);
    this.head(field, length);
    this.at += this.bytes.write(text, this.at, length, "utf8");
  }

  private head(field: number, length: number): void {
    this.bytes[this.at++] = (field << 3) | 2;
    this.at = writeVarint(this.bytes, this.at, length);
  }
}

function stringField(text: string): number {
  const length = Buffer.byteLength(text);
  return 1 + varintSize(length) + length;
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) size++;
  return size;
}

function writeVarint(bytes: Buffer, at: number, value: number): number {
  let rest = value;
  while (rest >= 128) {
    bytes[at++] = (rest % 128) | 128;
    rest = Math.floor(rest / 128);
  }
  bytes[at++] = rest;
  return at;
}
