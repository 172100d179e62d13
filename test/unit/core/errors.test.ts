import * as assert from 'node:assert/strict';
import { BrightRunError, cancelledError, fsError, isBrightRunError, isCancellation, throwIfAborted, toBrightRunError } from '../../../src/core';

describe('errors', () => {
  it('carries code, file, message and remedy, and serialises them', () => {
    const e = new BrightRunError({ code: 'CONFIG_INVALID', file: '/p/brightrun.json', message: 'bad', remedy: 'fix it' });
    assert.equal(e.name, 'BrightRunError');
    assert.ok(isBrightRunError(e));
    assert.deepEqual(e.toJSON(), { code: 'CONFIG_INVALID', file: '/p/brightrun.json', message: 'bad', remedy: 'fix it' });
    assert.deepEqual(new BrightRunError({ code: 'INTERNAL', message: 'm', remedy: 'r' }).toJSON(), { code: 'INTERNAL', message: 'm', remedy: 'r' });
  });

  it('recognises cancellation from our error and from AbortError', () => {
    assert.ok(isCancellation(cancelledError()));
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    assert.ok(isCancellation(abort));
    assert.ok(!isCancellation(new Error('x')));
    assert.ok(!isCancellation(new BrightRunError({ code: 'INTERNAL', message: 'm', remedy: 'r' })));
    assert.equal(toBrightRunError(abort).code, 'CANCELLED');
  });

  it('throwIfAborted throws only once aborted', () => {
    const c = new AbortController();
    throwIfAborted(c.signal);
    throwIfAborted(undefined);
    c.abort();
    assert.throws(() => throwIfAborted(c.signal), (e: unknown) => isBrightRunError(e) && e.code === 'CANCELLED');
  });

  it('wraps unknown errors as INTERNAL and keeps the cause', () => {
    const cause = new Error('boom');
    const e = toBrightRunError(cause, '/f');
    assert.equal(e.code, 'INTERNAL');
    assert.equal(e.file, '/f');
    assert.match(e.message, /boom/);
    assert.equal(e.cause, cause);
    assert.equal(toBrightRunError('text').message, 'Unexpected error: text');
    const same = new BrightRunError({ code: 'LOCK_TIMEOUT', message: 'm', remedy: 'r' });
    assert.equal(toBrightRunError(same), same);
  });

  it('maps fs error codes to specific errors', () => {
    const mk = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(fsError(mk('ENOENT'), '/x', 'read').code, 'SOURCE_NOT_FOUND');
    assert.equal(fsError(mk('EACCES'), '/x', 'read').code, 'SOURCE_UNREADABLE');
    assert.equal(fsError(mk('EPERM'), '/x', 'read').code, 'SOURCE_UNREADABLE');
    assert.match(fsError(mk('EISDIR'), '/x', 'read').message, /is a folder/);
    assert.match(fsError(mk('ENOSPC'), '/x', 'write').message, /disk is full/);
    assert.equal(fsError(mk('EIO'), '/x', 'read').code, 'INTERNAL');
    assert.equal(fsError(mk('ENOENT'), '/x', 'read').file, '/x');
  });
});
