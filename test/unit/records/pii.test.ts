import * as assert from 'node:assert/strict';
import { findPii, ibanValid, luhnValid, redactPii, redactRecord } from '../../../src/core/records/pii';
import type { ChatRecord, CompletionRecord } from '../../../src/core/records/types';

const lineage = { documentId: 'd', sourcePath: 'a.md', span: { start: 0, end: 10 }, headingPath: [], builder: 'chunk' as const, paramsHash: '0' };
const kindsIn = (text: string) => findPii(text).map((h) => `${h.kind}:${text.slice(h.start, h.end)}`);

describe('records: PII redaction', () => {
  it('checks IBANs by mod 97 and card numbers by Luhn', () => {
    assert.ok(ibanValid('DE89 3704 0044 0532 0130 00'));
    assert.ok(ibanValid('GB82WEST12345698765432'));
    assert.ok(!ibanValid('DE89 3704 0044 0532 0130 01'));
    assert.ok(!ibanValid('GB82WEST1234'), 'too short');
    assert.ok(luhnValid('4111111111111111') && luhnValid('378282246310005') && luhnValid('5555555555554444'));
    assert.ok(!luhnValid('4111111111111112'));
  });

  it('finds e-mail addresses, phones, IBANs, cards and keys with valid checks only', () => {
    const text = [
      'Write to jane.doe@example.com or a+b@sub.example.co.uk (not user@localhost, not @handle, not x@y).',
      'Call +1 202-555-0143, (555) 123-4567 or +44 20 7946 0958; 030 1234 5678 works too.',
      'Not phones: 2024-01-15, 3.14 bar, version 1.2.3, 192.168.100.200, order 123456789.',
      'Pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432, not DE89 3704 0044 0532 0130 01.',
      'Cards 4111 1111 1111 1111 and 5555-5555-5555-4444 and 378282246310005; not 4111 1111 1111 1112 or 1234567890123.',
    ].join('\n');
    assert.deepEqual(kindsIn(text), [
      'email:jane.doe@example.com',
      'email:a+b@sub.example.co.uk',
      'phone:+1 202-555-0143',
      'phone:(555) 123-4567',
      'phone:+44 20 7946 0958',
      'phone:030 1234 5678',
      'iban:DE89 3704 0044 0532 0130 00',
      'iban:GB82WEST12345698765432',
      'card:4111 1111 1111 1111',
      'card:5555-5555-5555-4444',
      'card:378282246310005',
    ]);
  });

  it('finds API keys and tokens by their prefixes', () => {
    const keys = [
      `hf_${'a1B2c3D4e5'.repeat(3)}Xy9z`,
      `sk-proj-${'Ab3_'.repeat(10)}`,
      `sk-${'q'.repeat(48)}`,
      `ghp_${'A1b2C3d4E5f6'.repeat(3)}`,
      `github_pat_11ABCDEFG0${'x'.repeat(60)}`,
      'xoxb-1234567890-0987654321-AbCdEfGhIjKl',
      'AKIAIOSFODNN7EXAMPLE',
      `AIza${'SyD-9tSrke72PouQMnMX7a7eZSW0jkFMBWY'}`,
      `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`,
    ];
    for (const k of keys) assert.deepEqual(kindsIn(`token=${k} end`), [`secret:${k}`], k);
    assert.deepEqual(kindsIn('ask-me-anything, the hf_ prefix, a skill-based xoxb- test, AKIA alone'), []);
  });

  it('replaces with placeholders and counts per kind; a record is flagged and re-measured', () => {
    const r = redactPii('Mail jane@example.com, card 4111-1111-1111-1111, key hf_abcdefghijklmnopqrstuvwxyz0123456789.');
    assert.equal(r.text, 'Mail [EMAIL], card [CARD], key [SECRET].');
    assert.deepEqual(r.counts, { email: 1, phone: 0, iban: 0, card: 1, secret: 1 });
    assert.deepEqual(redactPii('Only email: jane@example.com, +1 202-555-0143', ['email']).text, 'Only email: [EMAIL], +1 202-555-0143');
    const rec: CompletionRecord = { id: 'x', kind: 'completion', text: 'Ask jane@example.com.', tokens: 7, lineage };
    const out = redactRecord(rec, ['email']);
    assert.equal(out.record.text, 'Ask [EMAIL].');
    assert.deepEqual(out.record.flags, ['pii-redacted']);
    assert.equal(out.record.tokens, undefined, 'measured again later');
    assert.deepEqual(out.record.lineage, lineage, 'lineage untouched');
    const chat: ChatRecord = { id: 'y', kind: 'chat', messages: [{ role: 'user', content: 'My IBAN is DE89370400440532013000.' }, { role: 'assistant', content: 'Noted.' }], lineage };
    const c = redactRecord(chat, ['iban']);
    assert.equal(c.record.messages[0]!.content, 'My IBAN is [IBAN].');
    assert.equal(c.counts.iban, 1);
    const same = redactRecord({ ...rec, text: 'Nothing here.' }, ['email', 'phone']);
    assert.equal(same.changed, false);
    assert.equal(same.record.tokens, 7);
  });

  it('runs in linear time on hostile runs (200 KB each)', function () {
    this.timeout(60_000);
    const N = 200 * 1024;
    const units = ['@', 'a@', 'a.', '.@', '1', '1 ', '1-', '1.', '+1 ', '(1)', 'sk-', 'hf_', 'xoxb-', 'AKIA', 'DE89 ', 'AAAA ', 'a-b.', '-@-'];
    for (const u of units) {
      for (const text of [u.repeat(Math.ceil(N / u.length)).slice(0, N) + '!', 'a'.repeat(N) + '@' + 'b.'.repeat(N / 2)]) {
        const started = performance.now();
        redactPii(text);
        const ms = performance.now() - started;
        assert.ok(ms < 2000, `${JSON.stringify(u)}: ${Math.round(ms)} ms`);
      }
    }
  });
});
