/**
 * An equirectangular projection fitted to a set of sites: longitudes scaled by the cosine of the
 * middle latitude (so distances look right around the fleet), the bounding box centred in the frame
 * with room for labels. No tiles, no network: the frame is drawn as a graticule.
 */
export interface MapFrame {
  width: number;
  height: number;
  project: (latitude: number, longitude: number) => { x: number; y: number };
  /** graticule lines in view, degrees */
  latitudes: number[];
  longitudes: number[];
}

const STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 45];
// a single site (or sites very close together) still gets a frame of about 1 degree around it
const MIN_SPAN_DEG = 1;

function gridLines(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

function gridStep(spanDeg: number): number {
  return STEPS.find((s) => spanDeg / s <= 6) ?? 90;
}

export function fitProjection(points: { latitude: number; longitude: number }[], width: number, opts: { maxHeight?: number; padding?: number } = {}): MapFrame {
  const padding = opts.padding ?? 36;
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  const minLat = Math.min(...lats);
  const maxLat = Math.max(...lats);
  const minLon = Math.min(...lons);
  const maxLon = Math.max(...lons);
  const midLat = (minLat + maxLat) / 2;
  const midLon = (minLon + maxLon) / 2;
  const k = Math.max(0.2, Math.cos((midLat * Math.PI) / 180));
  const spanX = Math.max((maxLon - minLon) * k, MIN_SPAN_DEG);
  const spanY = Math.max(maxLat - minLat, MIN_SPAN_DEG);
  const height = Math.round(Math.min(opts.maxHeight ?? 420, Math.max(200, width * Math.min(0.75, Math.max(0.45, spanY / spanX)))));
  const scale = Math.min((width - 2 * padding) / spanX, (height - 2 * padding) / spanY);
  const project = (latitude: number, longitude: number) => ({
    x: width / 2 + (longitude - midLon) * k * scale,
    y: height / 2 - (latitude - midLat) * scale,
  });
  const halfLon = width / 2 / (k * scale);
  const halfLat = height / 2 / scale;
  const lonStep = gridStep(2 * halfLon);
  const latStep = gridStep(2 * halfLat);
  return {
    width,
    height,
    project,
    latitudes: gridLines(Math.max(-90, midLat - halfLat), Math.min(90, midLat + halfLat), latStep),
    longitudes: gridLines(midLon - halfLon, midLon + halfLon, lonStep),
  };
}

export function formatLatitude(v: number): string {
  return `${Math.abs(v)}°${v >= 0 ? "N" : "S"}`;
}

export function formatLongitude(v: number): string {
  return `${Math.abs(v)}°${v >= 0 ? "E" : "W"}`;
}
