// The attributes of the synthetic world: what a scene can contain and the words captions use for it.

export const shapes = ['circle', 'square', 'triangle', 'star', 'hexagon', 'diamond', 'cross', 'heart'] as const;
export type Shape = (typeof shapes)[number];

export const colours = {
  red: [214, 40, 40],
  orange: [245, 130, 20],
  yellow: [250, 220, 40],
  green: [40, 170, 60],
  blue: [40, 90, 220],
  purple: [130, 50, 180],
  pink: [245, 130, 190],
  brown: [120, 70, 30],
  white: [245, 245, 245],
  black: [25, 25, 25],
  grey: [135, 135, 135],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Colour = keyof typeof colours;
export const colourNames = Object.keys(colours) as Colour[];

/** Radius in pixels of a 224-px scene, per size word. */
export const sizes = { small: 22, medium: 31, large: 42 } as const;
export type Size = keyof typeof sizes;
export const sizeNames = Object.keys(sizes) as Size[];

export const patterns = ['solid', 'striped', 'dotted', 'checkered'] as const;
export type Pattern = (typeof patterns)[number];

export const backgrounds = ['grass', 'sand', 'water', 'brick', 'snow', 'wood'] as const;
export type Background = (typeof backgrounds)[number];

/** Ways a caption can say where the objects are (all variants of one background mean the same). */
export const backgroundPhrases: Record<Background, readonly string[]> = {
  grass: ['on grass', 'on the grass', 'on a lawn'],
  sand: ['on sand', 'on the sand', 'on a beach'],
  water: ['on water', 'in the water', 'floating on water'],
  brick: ['on a brick wall', 'in front of a brick wall', 'on bricks'],
  snow: ['in the snow', 'on snow', 'on a snowy field'],
  wood: ['on wood', 'on a wooden floor', 'on a wooden table'],
};

/** The noun of a background, for captions like "a grass scene". */
export const backgroundNouns: Record<Background, string> = {
  grass: 'grass',
  sand: 'sand',
  water: 'water',
  brick: 'brick',
  snow: 'snow',
  wood: 'wood',
};
