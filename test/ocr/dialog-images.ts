import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DialogScenario, SCENARIOS } from './dialog-scenarios.js';

// Draws Remote Desktop Connection error dialogs with ImageMagick (Debian's `imagemagick`, fonts
// from `fonts-liberation` / `fonts-dejavu-core`, installed by .ci/run). Windows draws dialog text
// in 9 pt Segoe UI = 12 px at 100 % scaling; 125 % and 150 % scale every length.

const run = promisify(execFile);

export type Theme = 'light' | 'dark';
export interface DialogVariant {
  scale: 1 | 1.25 | 1.5;
  theme: Theme;
  font: 'Liberation-Sans' | 'DejaVu-Sans';
  /** JPEG quality; PNG when absent. */
  jpegQuality?: number;
  /** A cropped phone photo of the screen: perspective, blur, noise, JPEG. */
  photo?: boolean;
}

export interface GeneratedDialog {
  file: string;
  scenario: DialogScenario;
  variant: DialogVariant;
}

const FONT_FILES: Record<DialogVariant['font'], string> = {
  'Liberation-Sans': '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  'DejaVu-Sans': '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
};

const PALETTE = {
  light: {
    window: '#f0f0f0',
    body: '#ffffff',
    text: '#000000',
    title: '#ffffff',
    button: '#e1e1e1',
    edge: '#adadad',
    desk: '#1e3a5f',
  },
  dark: {
    window: '#2b2b2b',
    body: '#202020',
    text: '#ffffff',
    title: '#1f1f1f',
    button: '#3a3a3a',
    edge: '#6a6a6a',
    desk: '#0b0b0b',
  },
} as const;

/** Debian's ImageMagick 6 binary; /usr/local/bin/convert on the dev image may be a stand-in. */
export function imageMagick(): string | null {
  for (const candidate of ['/usr/bin/magick', '/usr/bin/convert'])
    if (existsSync(candidate)) return candidate;
  return null;
}

/** Text for -annotate: ImageMagick expands `%` escapes and backslashes in it. */
function literal(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('%', '%%');
}

function fill(line: string, scenario: DialogScenario): string {
  return line.replaceAll('{host}', scenario.host).replaceAll('{gateway}', scenario.gateway ?? '');
}

/** The dialog as a list of convert drawing operations on a canvas of its own. */
function dialogOps(
  scenario: DialogScenario,
  variant: DialogVariant,
): { ops: string[]; width: number; height: number } {
  const s = (n: number) => Math.round(n * variant.scale);
  const c = PALETTE[variant.theme];
  const font = FONT_FILES[variant.font];
  const px = s(12);
  const lineHeight = s(17);
  const message = scenario.message.map((line) => fill(line, scenario));
  const details = scenario.codes
    ? [
        `Error code: ${scenario.codes.error}`,
        `Extended error code: ${scenario.codes.extended}`,
        'Timestamp (UTC): 2026-11-25T09:12:33.112Z',
        'Activity ID: {b7d2c1a0-4f1e-4c3b-9a7e-2f6d8e0c1a55}',
      ]
    : [];
  const width = s(470);
  const bodyTop = s(31);
  const messageTop = bodyTop + s(24);
  const messageBottom = messageTop + message.length * lineHeight;
  const detailsTop = messageBottom + s(14);
  const buttonsTop = detailsTop + details.length * lineHeight + s(16);
  const height = buttonsTop + s(46);
  const ops = [
    '-size',
    `${width}x${height}`,
    `xc:${c.window}`,
    '-fill',
    c.body,
    '-draw',
    `rectangle 0,${bodyTop} ${width},${buttonsTop - s(8)}`,
    '-fill',
    c.title,
    '-draw',
    `rectangle 0,0 ${width},${bodyTop - 1}`,
    '-font',
    font,
    '-pointsize',
    String(px),
    '-fill',
    c.text,
    '-annotate',
    `+${s(12)}+${s(20)}`,
    'Remote Desktop Connection',
    '-annotate',
    `+${width - s(24)}+${s(20)}`,
    'X',
    // The error icon: a red disc with a white cross.
    '-fill',
    '#c42b1c',
    '-draw',
    `circle ${s(32)},${messageTop + s(10)} ${s(32)},${messageTop - s(6)}`,
    '-stroke',
    '#ffffff',
    '-strokewidth',
    String(s(3)),
    '-draw',
    `line ${s(26)},${messageTop + s(4)} ${s(38)},${messageTop + s(16)}`,
    '-draw',
    `line ${s(38)},${messageTop + s(4)} ${s(26)},${messageTop + s(16)}`,
    '+stroke',
    '-fill',
    c.text,
  ];
  message.forEach((line, index) => {
    if (line !== '')
      ops.push('-annotate', `+${s(62)}+${messageTop + s(12) + index * lineHeight}`, literal(line));
  });
  details.forEach((line, index) => {
    ops.push('-annotate', `+${s(62)}+${detailsTop + s(12) + index * lineHeight}`, literal(line));
  });
  const button = (label: string, x: number, w: number) => {
    ops.push(
      '-fill',
      c.button,
      '-stroke',
      c.edge,
      '-strokewidth',
      '1',
      '-draw',
      `rectangle ${x},${buttonsTop} ${x + w},${buttonsTop + s(23)}`,
      '+stroke',
      '-fill',
      c.text,
      '-annotate',
      `+${x + Math.round((w - label.length * px * 0.55) / 2)}+${buttonsTop + s(16)}`,
      label,
    );
  };
  if (details.length > 0) button('Hide details', s(14), s(96));
  button('OK', width - s(180), s(75));
  button('Help', width - s(92), s(75));
  return { ops, width, height };
}

/** The window behind the dialog: the connection window (Computer field) or the session window. */
function backdropOps(
  scenario: DialogScenario,
  variant: DialogVariant,
  dialog: { width: number; height: number },
) {
  const s = (n: number) => Math.round(n * variant.scale);
  const c = PALETTE[variant.theme];
  const font = FONT_FILES[variant.font];
  const px = String(s(12));
  const width = dialog.width + s(140);
  if (scenario.placement === 'session-title') {
    const height = dialog.height + s(150);
    return {
      ops: [
        '-size',
        `${width}x${height}`,
        `xc:${c.desk}`,
        '-fill',
        c.title,
        '-draw',
        `rectangle 0,0 ${width},${s(30)}`,
        '-font',
        font,
        '-pointsize',
        px,
        '-fill',
        c.text,
        '-annotate',
        `+${s(12)}+${s(20)}`,
        literal(`${scenario.host} - Remote Desktop Connection`),
      ],
      at: { x: s(70), y: s(90) },
    };
  }
  const height = dialog.height + s(230);
  const ops = [
    '-size',
    `${width}x${height}`,
    `xc:${c.window}`,
    '-fill',
    c.title,
    '-draw',
    `rectangle 0,0 ${width},${s(30)}`,
    '-font',
    font,
    '-pointsize',
    px,
    '-fill',
    c.text,
    '-annotate',
    `+${s(12)}+${s(20)}`,
    'Remote Desktop Connection',
    '-pointsize',
    String(s(20)),
    '-annotate',
    `+${s(80)}+${s(70)}`,
    'Remote Desktop Connection',
    '-pointsize',
    px,
  ];
  if (scenario.placement === 'computer-field') {
    ops.push(
      '-annotate',
      `+${s(20)}+${s(118)}`,
      'Computer:',
      '-fill',
      c.body,
      '-stroke',
      c.edge,
      '-draw',
      `rectangle ${s(110)},${s(102)} ${s(400)},${s(124)}`,
      '+stroke',
      '-fill',
      c.text,
      '-annotate',
      `+${s(116)}+${s(118)}`,
      literal(scenario.host),
      '-annotate',
      `+${s(20)}+${s(146)}`,
      literal('User name:   CORP\\jdoe'),
    );
  }
  return { ops, at: { x: s(70), y: s(175) } };
}

/** Renders one dialog image into `dir` and returns where it is. */
export async function renderDialog(
  scenario: DialogScenario,
  variant: DialogVariant,
  dir: string,
  name = `${scenario.id}-${variant.theme}-${variant.scale * 100}-${variant.font}${variant.photo ? '-photo' : ''}${variant.jpegQuality ? `-q${variant.jpegQuality}` : ''}`,
): Promise<GeneratedDialog> {
  const convert = imageMagick();
  if (!convert) throw new Error('ImageMagick is not installed (apt-get install imagemagick)');
  const dialog = dialogOps(scenario, variant);
  const backdrop = backdropOps(scenario, variant, dialog);
  const ext = variant.photo || variant.jpegQuality ? 'jpg' : 'png';
  const file = join(dir, `${name}.${ext}`);
  const screen = [
    ...backdrop.ops,
    '(',
    ...dialog.ops,
    ')',
    '-geometry',
    `+${backdrop.at.x}+${backdrop.at.y}`,
    '-composite',
  ];
  const output = variant.photo
    ? photoOps()
    : variant.jpegQuality
      ? ['-quality', String(variant.jpegQuality)]
      : [];
  // Write under a temporary name so a half-written file is never read.
  const partial = `${file}.partial.${ext}`;
  await run(convert, [...screen, ...output, partial], { timeout: 30_000 });
  await rename(partial, file);
  return { file, scenario, variant };
}

/** A phone held at an angle in front of the screen: keystone, slight blur, sensor noise, glare. */
function photoOps(): string[] {
  return [
    // A fixed seed: the same "photo" every run, so a test that reads it cannot flake on noise.
    '-seed',
    '20261125',
    '-bordercolor',
    '#151515',
    '-border',
    '30',
    '-virtual-pixel',
    'background',
    '-background',
    '#3b3833',
    '+distort',
    'Perspective',
    '0,0 24,40  %[fx:w-1],0 %[fx:w-30],8  0,%[fx:h-1] 6,%[fx:h-20]  %[fx:w-1],%[fx:h-1] %[fx:w-12],%[fx:h-52]',
    '-resize',
    '130%',
    '-blur',
    '0x0.9',
    '-attenuate',
    '0.3',
    '+noise',
    'Gaussian',
    '(',
    '+clone',
    '-sparse-color',
    'Barycentric',
    '0,0 #ffffff %[fx:w-1],%[fx:h-1] #c8c8c8',
    ')',
    '-compose',
    'Multiply',
    '-composite',
    '-gravity',
    'Center',
    '-crop',
    '94%x94%+0+0',
    '+repage',
    '-quality',
    '78',
  ];
}

/** The evaluation set: every scenario in several renderings (≥ 40 images in all). */
export function evaluationVariants(): Array<{ scenario: DialogScenario; variant: DialogVariant }> {
  const variants: DialogVariant[] = [
    { scale: 1, theme: 'light', font: 'Liberation-Sans' },
    { scale: 1.25, theme: 'light', font: 'DejaVu-Sans', jpegQuality: 70 },
    { scale: 1.5, theme: 'dark', font: 'Liberation-Sans' },
    { scale: 1, theme: 'dark', font: 'DejaVu-Sans', jpegQuality: 60 },
    { scale: 1.5, theme: 'light', font: 'Liberation-Sans', photo: true },
  ];
  return SCENARIOS.flatMap((scenario) => variants.map((variant) => ({ scenario, variant })));
}
