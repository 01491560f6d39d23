// Draws a scene into an RGB buffer with its own scanline rasteriser (inside tests per shape), and
// measures each object's tight box from the pixels it really covers after occlusion.
import type { Box, RgbImage } from '../types.ts';
import type { Scene, SceneObject } from './scene.ts';
import { sceneSize } from './scene.ts';
import { paintBackground } from './textures.ts';
import { colours, type Shape } from './vocabulary.ts';

const starPolygon: [number, number][] = Array.from({ length: 10 }, (_, i) => {
  const angle = -Math.PI / 2 + (i * Math.PI) / 5;
  const r = i % 2 === 0 ? 1 : 0.45;
  return [r * Math.cos(angle), r * Math.sin(angle)];
});

function insidePolygon(u: number, v: number, polygon: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether (u, v), in units of the object's radius around its centre, lies inside the shape. */
export function insideShape(shape: Shape, u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return au <= 0.8 && av <= 0.8;
    case 'diamond':
      return au + av <= 1;
    case 'triangle':
      return v <= 0.75 && v >= -1 && au <= (0.98 * (v + 1)) / 1.75;
    case 'hexagon':
      return av <= 0.866 && 0.866 * au + 0.5 * av <= 0.866;
    case 'cross':
      return (au <= 0.32 && av <= 0.95) || (av <= 0.32 && au <= 0.95);
    case 'star':
      return insidePolygon(u, v, starPolygon);
    case 'heart': {
      const x = u * 1.2;
      const y = -v * 1.2 + 0.2;
      const s = x * x + y * y - 1;
      return s * s * s - x * x * y * y * y <= 0;
    }
  }
}

type Rgb = [number, number, number];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function objectColours(object: SceneObject): { main: Rgb; second: Rgb; outline: Rgb } {
  const base = colours[object.colour];
  const main: Rgb = [base[0] + object.tint[0], base[1] + object.tint[1], base[2] + object.tint[2]];
  const luminance = 0.299 * main[0] + 0.587 * main[1] + 0.114 * main[2];
  // The pattern's second colour is a lighter or darker shade of the same colour, so the colour word
  // still names the whole object.
  const second = luminance < 110 ? mix(main, [255, 255, 255], 0.45) : mix(main, [0, 0, 0], 0.45);
  const outline = luminance < 60 ? mix(main, [255, 255, 255], 0.6) : mix(main, [0, 0, 0], 0.6);
  return { main, second, outline };
}

function patternSecond(object: SceneObject, x: number, y: number): boolean {
  const dx = x - object.cx + object.patternPhase;
  const dy = y - object.cy + object.patternPhase;
  switch (object.pattern) {
    case 'solid':
      return false;
    case 'striped': {
      const period = Math.max(6, Math.round(object.radius / 2.8));
      return ((((dx + dy) % period) + period) % period) < period / 2;
    }
    case 'dotted': {
      const spacing = Math.max(8, Math.round(object.radius / 2.4));
      const ox = ((dx % spacing) + spacing) % spacing - spacing / 2;
      const oy = ((dy % spacing) + spacing) % spacing - spacing / 2;
      return ox * ox + oy * oy <= (spacing * 0.3) ** 2;
    }
    case 'checkered': {
      const cell = Math.max(5, Math.round(object.radius / 3));
      return ((Math.floor(dx / cell) + Math.floor(dy / cell)) & 1) === 1;
    }
  }
}

export interface RenderedScene {
  image: RgbImage;
  /** Tight box of each object's visible pixels, in the order of scene.objects. */
  boxes: Box[];
}

/** The background alone, as the scene would show it with no objects (used to check boxes). */
export function renderBackground(scene: Scene): RgbImage {
  const data = new Uint8Array(sceneSize * sceneSize * 3);
  paintBackground(data, sceneSize, sceneSize, scene.background, scene.textureSeed);
  return { data, width: sceneSize, height: sceneSize };
}

/** `base` replaces the background texture (the world painter draws on a plain one when none is described). */
export function renderScene(scene: Scene, base: RgbImage = renderBackground(scene)): RenderedScene {
  const image = base;
  const { data } = image;
  const owner = new Int8Array(sceneSize * sceneSize).fill(-1);
  scene.objects.forEach((object, index) => {
    const { main, second, outline } = objectColours(object);
    const r = object.radius;
    const edge = 2 / r;
    const x0 = Math.max(0, Math.floor(object.cx - r - 1));
    const x1 = Math.min(sceneSize - 1, Math.ceil(object.cx + r + 1));
    const y0 = Math.max(0, Math.floor(object.cy - r - 1));
    const y1 = Math.min(sceneSize - 1, Math.ceil(object.cy + r + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const u = (x + 0.5 - object.cx) / r;
        const v = (y + 0.5 - object.cy) / r;
        if (!insideShape(object.shape, u, v)) continue;
        const border =
          !insideShape(object.shape, u + edge, v) ||
          !insideShape(object.shape, u - edge, v) ||
          !insideShape(object.shape, u, v + edge) ||
          !insideShape(object.shape, u, v - edge);
        const colour = border ? outline : patternSecond(object, x, y) ? second : main;
        const i = (y * sceneSize + x) * 3;
        for (let c = 0; c < 3; c++) data[i + c] = Math.max(0, Math.min(255, Math.round(colour[c])));
        owner[y * sceneSize + x] = index;
      }
    }
  });
  return { image, boxes: visibleBoxes(owner, scene.objects.length) };
}

function visibleBoxes(owner: Int8Array, count: number): Box[] {
  const minX = new Array<number>(count).fill(Infinity);
  const minY = new Array<number>(count).fill(Infinity);
  const maxX = new Array<number>(count).fill(-Infinity);
  const maxY = new Array<number>(count).fill(-Infinity);
  for (let y = 0; y < sceneSize; y++) {
    for (let x = 0; x < sceneSize; x++) {
      const o = owner[y * sceneSize + x];
      if (o < 0) continue;
      if (x < minX[o]) minX[o] = x;
      if (x > maxX[o]) maxX[o] = x;
      if (y < minY[o]) minY[o] = y;
      if (y > maxY[o]) maxY[o] = y;
    }
  }
  return minX.map((x, o) => ({ x, y: minY[o], w: maxX[o] - x + 1, h: maxY[o] - minY[o] + 1 }));
}
