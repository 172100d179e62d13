/**
 * Hand-written glyph-name → Unicode data for the PDF text extractor, complementing the names that
 * `@pdf-lib/standard-fonts` already carries (WinAnsi, Symbol and ZapfDingbats). Written from the Adobe Glyph
 * List (AGL) and the AGL for New Fonts naming conventions; PDF 32000-1 §9.10.2 relies on these names to
 * recover text from simple fonts without a ToUnicode CMap.
 *
 * The data is a compact `name HEX name HEX ...` string, parsed once on first use by {@link extraGlyphNames}.
 * Where the AGL points at Private Use code points that carry no text (e.g. `copyrightserif`, `dotlessj`,
 * `commaaccent`), the real character is used instead, since the extractor wants readable text.
 */

const EXTRA = [
  // Latin Extended-A (U+0100–U+017F), with the older AGL alternative names.
  'Amacron 0100 amacron 0101 Abreve 0102 abreve 0103 Aogonek 0104 aogonek 0105 Cacute 0106 cacute 0107 Ccircumflex 0108',
  'ccircumflex 0109 Cdotaccent 010A cdotaccent 010B Cdot 010A cdot 010B Ccaron 010C ccaron 010D Dcaron 010E dcaron 010F',
  'Dcroat 0110 dcroat 0111 Dslash 0110 dmacron 0111 Emacron 0112 emacron 0113 Ebreve 0114 ebreve 0115 Edotaccent 0116',
  'edotaccent 0117 Edot 0116 edot 0117 Eogonek 0118 eogonek 0119 Ecaron 011A ecaron 011B Gcircumflex 011C gcircumflex 011D',
  'Gbreve 011E gbreve 011F Gdotaccent 0120 gdotaccent 0121 Gdot 0120 gdot 0121 Gcommaaccent 0122 gcommaaccent 0123',
  'Gcedilla 0122 gcedilla 0123 Hcircumflex 0124 hcircumflex 0125 Hbar 0126 hbar 0127 Itilde 0128 itilde 0129 Imacron 012A',
  'imacron 012B Ibreve 012C ibreve 012D Iogonek 012E iogonek 012F Idotaccent 0130 Idot 0130 dotlessi 0131 IJ 0132 ij 0133',
  'Jcircumflex 0134 jcircumflex 0135 Kcommaaccent 0136 kcommaaccent 0137 Kcedilla 0136 kcedilla 0137 kgreenlandic 0138',
  'Lacute 0139 lacute 013A Lcommaaccent 013B lcommaaccent 013C Lcedilla 013B lcedilla 013C Lcaron 013D lcaron 013E',
  'Ldot 013F ldot 0140 Ldotaccent 013F ldotaccent 0140 Lslash 0141 lslash 0142 Nacute 0143 nacute 0144 Ncommaaccent 0145',
  'ncommaaccent 0146 Ncedilla 0145 ncedilla 0146 Ncaron 0147 ncaron 0148 napostrophe 0149 quoterightn 0149 Eng 014A',
  'eng 014B Omacron 014C omacron 014D Obreve 014E obreve 014F Ohungarumlaut 0150 ohungarumlaut 0151 Odblacute 0150',
  'odblacute 0151 OE 0152 oe 0153 Racute 0154 racute 0155 Rcommaaccent 0156 rcommaaccent 0157 Rcedilla 0156 rcedilla 0157',
  'Rcaron 0158 rcaron 0159 Sacute 015A sacute 015B Scircumflex 015C scircumflex 015D Scedilla 015E scedilla 015F',
  'Scaron 0160 scaron 0161 Tcommaaccent 0162 tcommaaccent 0163 Tcedilla 0162 tcedilla 0163 Tcaron 0164 tcaron 0165',
  'Tbar 0166 tbar 0167 Utilde 0168 utilde 0169 Umacron 016A umacron 016B Ubreve 016C ubreve 016D Uring 016E uring 016F',
  'Uhungarumlaut 0170 uhungarumlaut 0171 Udblacute 0170 udblacute 0171 Uogonek 0172 uogonek 0173 Wcircumflex 0174',
  'wcircumflex 0175 Ycircumflex 0176 ycircumflex 0177 Ydieresis 0178 Zacute 0179 zacute 017A Zdotaccent 017B',
  'zdotaccent 017C Zdot 017B zdot 017C Zcaron 017D zcaron 017E longs 017F slong 017F',
  // Latin Extended-B and IPA (a common subset).
  'bstroke 0180 Oopen 0186 Schwa 018F Ohorn 01A0 ohorn 01A1 Uhorn 01AF uhorn 01B0 Ezh 01B7 DZcaron 01C4 Dzcaron 01C5',
  'dzcaron 01C6 LJ 01C7 Lj 01C8 lj 01C9 NJ 01CA Nj 01CB nj 01CC Acaron 01CD acaron 01CE Icaron 01CF icaron 01D0',
  'Ocaron 01D1 ocaron 01D2 Ucaron 01D3 ucaron 01D4 Udieresismacron 01D5 udieresismacron 01D6 Udieresisacute 01D7',
  'udieresisacute 01D8 Udieresiscaron 01D9 udieresiscaron 01DA Udieresisgrave 01DB udieresisgrave 01DC AEmacron 01E2',
  'aemacron 01E3 Gcaron 01E6 gcaron 01E7 Kcaron 01E8 kcaron 01E9 Oogonek 01EA oogonek 01EB jcaron 01F0 Gacute 01F4',
  'gacute 01F5 Aringacute 01FA aringacute 01FB AEacute 01FC aeacute 01FD Oslashacute 01FE oslashacute 01FF',
  'Scommaaccent 0218 scommaaccent 0219 dotlessj 0237 schwa 0259 oopen 0254 eopen 025B esh 0283 ezh 0292',
  // Spacing modifiers and combining marks.
  'circumflex 02C6 caron 02C7 breve 02D8 dotaccent 02D9 ring 02DA ogonek 02DB tilde 02DC hungarumlaut 02DD',
  'afii57929 02BC afii64937 02BD gravecomb 0300 acutecomb 0301 tildecomb 0303 hookabovecomb 0309 dotbelowcomb 0323',
  'commaaccent 0326',
  // Greek: the AGL aliases and accented letters (the plain letters come from the Symbol encoding).
  'Delta 2206 Omega 2126 mu 00B5 increment 2206 Ohm 2126 Deltagreek 0394 Omegagreek 03A9 mugreek 03BC mu1 00B5',
  'tonos 0384 dieresistonos 0385 Alphatonos 0386 anoteleia 0387 Epsilontonos 0388 Etatonos 0389 Iotatonos 038A',
  'Omicrontonos 038C Upsilontonos 038E Omegatonos 038F iotadieresistonos 0390 Iotadieresis 03AA Upsilondieresis 03AB',
  'alphatonos 03AC epsilontonos 03AD etatonos 03AE iotatonos 03AF upsilondieresistonos 03B0 iotadieresis 03CA',
  'upsilondieresis 03CB omicrontonos 03CC upsilontonos 03CD omegatonos 03CE',
  // Cyrillic outside the basic alphabet (the basic afii10017–afii10097 run is generated below).
  'afii10050 0490 afii10051 0402 afii10052 0403 afii10053 0404 afii10054 0405 afii10055 0406 afii10056 0407',
  'afii10057 0408 afii10058 0409 afii10059 040A afii10060 040B afii10061 040C afii10062 040E afii10145 040F',
  'afii10098 0491 afii10099 0452 afii10100 0453 afii10101 0454 afii10102 0455 afii10103 0456 afii10104 0457',
  'afii10105 0458 afii10106 0459 afii10107 045A afii10108 045B afii10109 045C afii10110 045E afii10193 045F',
  'afii61352 2116 afii00208 2015 afii61248 2105 afii61289 2113',
  // Punctuation, spaces, currency, letterlike symbols.
  'space 0020 hyphen 002D nbspace 00A0 sfthyphen 00AD middot 00B7 overscore 00AF figuredash 2012 horizontalbar 2015',
  'underscoredbl 2017 quotereversed 201B onedotenleader 2024 twodotenleader 2025 exclamdbl 203C overline 203E',
  'fraction 2044 colonmonetary 20A1 franc 20A3 lira 20A4 peseta 20A7 dong 20AB Euro 20AC prescription 211E',
  'estimated 212E apple F8FF',
  'copyrightserif 00A9 registerserif 00AE trademarkserif 2122 copyrightsans 00A9 registersans 00AE trademarksans 2122',
  // Ligatures.
  'ff FB00 fi FB01 fl FB02 ffi FB03 ffl FB04',
  // Number forms, superiors and inferiors.
  'onethird 2153 twothirds 2154 oneeighth 215B threeeighths 215C fiveeighths 215D seveneighths 215E zerosuperior 2070',
  'foursuperior 2074 fivesuperior 2075 sixsuperior 2076 sevensuperior 2077 eightsuperior 2078 ninesuperior 2079',
  'plussuperior 207A minussuperior 207B equalsuperior 207C parenleftsuperior 207D parenrightsuperior 207E nsuperior 207F',
  'zeroinferior 2080 oneinferior 2081 twoinferior 2082 threeinferior 2083 fourinferior 2084 fiveinferior 2085',
  'sixinferior 2086 seveninferior 2087 eightinferior 2088 nineinferior 2089 parenleftinferior 208D parenrightinferior 208E',
  // Mathematics and arrows beyond the Symbol set.
  'minus 2212 arrowupdn 2195 arrowupdnbse 21A8 orthogonal 221F bulletoperator 2219 divisionslash 2215 house 2302',
  'revlogicalnot 2310 infinity 221E lessequal 2264 greaterequal 2265 notequal 2260 approxequal 2248 partialdiff 2202',
  'summation 2211 product 220F radical 221A integral 222B',
  // Block elements, geometric shapes, miscellaneous symbols.
  'upblock 2580 dnblock 2584 block 2588 lfblock 258C rtblock 2590 ltshade 2591 shade 2592 dkshade 2593 filledbox 25A0',
  'H22073 25A1 H18543 25AA H18551 25AB filledrect 25AC triagup 25B2 triagrt 25BA triagdn 25BC triaglf 25C4 circle 25CB',
  'H18533 25CF invbullet 25D8 invcircle 25D9 openbullet 25E6 smileface 263A invsmileface 263B sun 263C female 2640',
  'male 2642 musicalnote 266A musicalnotedbl 266B',
  // TeX math fonts (Computer Modern CMSY, CMMI, CMEX and their descendants), whose glyph names are not in the AGL.
  'asteriskmath 2217 diamondmath 22C4 minusplus 2213 circleminus 2296 circledivide 2298 circlecopyrt 00A9',
  'equivasymptotic 224D precedesequal 2AAF followsequal 2AB0 lessmuch 226A greatermuch 226B precedes 227A follows 227B',
  'arrownortheast 2197 arrowsoutheast 2198 arrownorthwest 2196 arrowsouthwest 2199 similarequal 2243 prime 2032',
  'owner 220B triangle 25B3 triangleinv 25BD negationslash 0338 mapsto 21A6 Rfractur 211C Ifractur 2111 latticetop 22A4',
  'unionmulti 228E turnstileleft 22A2 turnstileright 22A3 floorleft 230A floorright 230B ceilingleft 2308 ceilingright 2309',
  'bardbl 2225 arrowbothv 2195 arrowdblbothv 21D5 wreathproduct 2240 coproduct 2210 unionsq 2294 intersectionsq 2293',
  'subsetsqequal 2291 supersetsqequal 2292 epsilon1 03F5 theta1 03D1 pi1 03D6 rho1 03F1 sigma1 03C2 phi1 03C6 star 22C6',
  'lscript 2113 flat 266D natural 266E sharp 266F slurbelow 2323 slurabove 2322 vector 20D7 tie 2040',
  'contintegral 222E uniontext 22C3 intersectiontext 22C2 logicalandtext 22C0 logicalortext 22C1 vextendsingle 2223',
  'vextenddouble 2225 circledottext 2A00 circleplustext 2A01 circlemultiplytext 2A02 unionmultitext 2A04',
].join(' ');

let extra: Map<string, string> | undefined;

/** The hand-written glyph-name table (name → Unicode text), parsed once. */
export function extraGlyphNames(): ReadonlyMap<string, string> {
  if (extra) return extra;
  const map = new Map<string, string>();
  const parts = EXTRA.split(' ');
  for (let i = 0; i + 1 < parts.length; i += 2) map.set(parts[i], String.fromCodePoint(parseInt(parts[i + 1], 16)));
  // afii10017–afii10049: А–Я with Ё (U+0401) at afii10023; afii10065–afii10097: а–я with ё (U+0451) at afii10071.
  const cyrillic = (first: number, base: number, io: number) => {
    for (let i = 0; i < 33; i++) {
      const cp = i < 6 ? base + i : i === 6 ? io : base + i - 1;
      map.set(`afii${first + i}`, String.fromCodePoint(cp));
    }
  };
  cyrillic(10017, 0x0410, 0x0401);
  cyrillic(10065, 0x0430, 0x0451);
  extra = map;
  return map;
}
