/**
 * How campaign operators vary a shared text so it does not look copy-pasted: small edits,
 * clause reordering, Traditional script, full-width characters, different tracking parameters
 * on the same link. Each variant stays near-identical (Jaccard ≳ 0.8 after normalisation).
 */
import * as OpenCC from 'opencc-js';
import type { Rng } from '../../util/random.ts';

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
/** Common characters used for edits and for fresh campaign text. */
export const COMMON = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞';

/** Replaces, deletes or inserts one CJK character at a random position. */
export function smallEdit(text: string, rng: Rng): string {
  const cjk: number[] = [];
  for (let i = 0; i < text.length; i++) if (/[\u4e00-\u9fff]/.test(text[i])) cjk.push(i);
  if (!cjk.length) return `${text} ${rng.pick(['!', '!!', '...'])}`;
  const at = rng.pick(cjk);
  const c = COMMON[rng.int(0, COMMON.length - 1)];
  const op = rng.int(0, 2);
  if (op === 0) return text.slice(0, at) + c + text.slice(at + 1);
  if (op === 1) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + c + text.slice(at);
}

/** Shuffles the text's clauses (split at Chinese or Latin clause punctuation). */
export function reorderClauses(text: string, rng: Rng): string {
  const clauses = text.split(/[，,。！!；;]/u).map((s) => s.trim()).filter(Boolean);
  if (clauses.length < 2) return text;
  return `${rng.shuffle(clauses).join('，')}。`;
}

/** Simplified → Traditional (Taiwan) script. */
export function traditional(text: string): string {
  return toTraditional(text);
}

/** ASCII letters and digits → full-width forms. */
export function fullWidth(text: string): string {
  return text.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/** One operator's copy of a campaign text. */
export function variant(text: string, rng: Rng): { text: string; how: string } {
  const r = rng.next();
  if (r < 0.2) return { text, how: 'copy' };
  if (r < 0.45) return { text: smallEdit(text, rng), how: 'edit' };
  if (r < 0.6) return { text: reorderClauses(text, rng), how: 'reorder' };
  if (r < 0.8) return { text: traditional(rng.chance(0.5) ? smallEdit(text, rng) : text), how: 'traditional' };
  if (r < 0.9) return { text: fullWidth(text.toUpperCase()), how: 'fullwidth' };
  return { text: `${text}${rng.pick(['！', '!!', ' 👍', '。。。', ' 转发'])}`, how: 'suffix' };
}
