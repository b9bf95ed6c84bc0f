import { expect } from 'chai';
import { createApiClient } from '../../web/src/api/client';
import type { InboxNotification } from '../../web/src/api/types';
import { newestFirst, notificationView } from '../../web/src/notifications';

const processed: InboxNotification = {
  messageId: 'm1',
  time: '2026-03-01T10:00:02.000Z',
  subject: 'Photo processed: beach.jpg',
  text: 'File: beach.jpg\nAlbum: a1\nOutcome: SUCCEEDED',
  attributes: {
    status: 'SUCCEEDED',
    userId: 'u',
    albumId: 'a1',
    imageId: 'img-1',
    fileName: 'beach.jpg',
    faceDetected: 'true',
    flagged: 'false',
  },
};

describe('web notifications', () => {
  it('reads the outcome, the photo and the findings from the message attributes', () => {
    expect(notificationView(processed)).to.deep.equal({
      messageId: 'm1',
      time: '2026-03-01T10:00:02.000Z',
      subject: 'Photo processed: beach.jpg',
      text: 'File: beach.jpg\nAlbum: a1\nOutcome: SUCCEEDED',
      status: 'SUCCEEDED',
      imageId: 'img-1',
      fileName: 'beach.jpg',
      albumId: 'a1',
      flagged: false,
      faceDetected: true,
    });
  });

  it('leaves out what the attributes do not say or say wrongly, never guessing', () => {
    const view = notificationView({
      ...processed,
      attributes: { status: 'PROCESSING', flagged: 'unknown', faceDetected: 'yes', imageId: '' },
    });
    expect(view).to.not.have.any.keys('status', 'flagged', 'faceDetected', 'imageId', 'fileName', 'albumId');
  });

  it('lists newest first', () => {
    const older = { ...processed, messageId: 'm0', time: '2026-03-01T09:00:00.000Z' };
    const newer = { ...processed, messageId: 'm2', time: '2026-03-01T11:00:00.000Z' };
    expect(newestFirst([older, newer, processed]).map((item) => item.messageId)).to.deep.equal(['m2', 'm1', 'm0']);
  });

  it('reads the inbox at inboxUrl with the access token, checks its shape, and has none without one', async () => {
    const urls: string[] = [];
    const headers: Record<string, string>[] = [];
    const answer = { notifications: [processed], emailSubscriptions: 1 };
    let body = JSON.stringify(answer);
    const fetch = (async (url: string, init: RequestInit) => {
      urls.push(url);
      headers.push(init.headers as Record<string, string>);
      return new Response(body, { status: 200 });
    }) as typeof globalThis.fetch;
    const options = { apiUrl: 'https://api.example', accessToken: async () => 't1', onUnauthorized: () => {}, fetch };
    const api = createApiClient({ ...options, inboxUrl: 'http://localhost:4566/_inbox/messages' });
    expect(await api.listNotifications()).to.deep.equal({ ok: true, value: answer });
    expect(urls).to.deep.equal(['http://localhost:4566/_inbox/messages']);
    expect(headers[0]?.authorization).to.equal('Bearer t1');
    body = JSON.stringify({ notifications: [{ subject: 'no id' }], emailSubscriptions: 1 });
    expect(await api.listNotifications()).to.deep.equal({ ok: false, error: { kind: 'unexpected', status: 200 } });
    const onAws = createApiClient(options);
    expect(await onAws.listNotifications()).to.deep.include({ ok: false });
    expect(urls).to.have.length(2);
  });
});
