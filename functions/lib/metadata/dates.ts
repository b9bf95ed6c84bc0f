/** Capture times as ISO 8601 local time, `YYYY-MM-DDTHH:mm:ss`, plus the UTC offset when the file records one. */

/** EXIF writes "2015:04:10 20:12:23"; blank or zeroed dates ("0000:00:00 00:00:00") mean unknown. */
export function exifDateTime(text: string | undefined, offset?: string): string | undefined {
  const match = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text ?? '');
  if (!match) return undefined;
  const local = localDateTime(match.slice(1, 7));
  return local && local + (utcOffset(offset) ?? '');
}

/** XMP writes ISO 8601: "2009-02-09T11:11:30", maybe with fractions of a second and "Z" or "+02:00". */
export function xmpDateTime(text: string | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text ?? '');
  if (!match) return undefined;
  const local = localDateTime(match.slice(1, 7));
  return local && local + (match[7] === 'Z' ? '+00:00' : (utcOffset(match[7]) ?? ''));
}

function localDateTime(parts: (string | undefined)[]): string | undefined {
  const [year, month, day, hour, minute, second = '00'] = parts;
  const ranges: [string | undefined, number, number][] = [
    [year, 1, 9999],
    [month, 1, 12],
    [day, 1, 31],
    [hour, 0, 23],
    [minute, 0, 59],
    [second, 0, 60],
  ];
  if (ranges.some(([value, min, max]) => value === undefined || Number(value) < min || Number(value) > max)) {
    return undefined;
  }
  return `${year}-${month}-${day}T${hour}:${minute}:${second}`;
}

/** "+02:00" style offsets only; cameras without a clock zone write blanks. */
function utcOffset(offset: string | undefined): string | undefined {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset?.trim() ?? '');
  return match && Number(match[2]) <= 14 && Number(match[3]) < 60 ? match[0] : undefined;
}
