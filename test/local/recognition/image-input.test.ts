import { expect } from 'chai';
import sharp from 'sharp';
import {
  INFERENCE_LONG_SIDE_PX,
  MAX_IMAGE_BYTES,
  MAX_S3_OBJECT_BYTES,
  checkEncodedImage,
  decodeForInference,
  sniffFormat,
} from '../../../local/recognition/image-input';
import { fixture, paddedJpeg } from './photos';
import { rejectedRekognitionError, thrownRekognitionError } from './rekognition-errors';

describe('image input: Rekognition limits, format by content, upright downscaled pixels', () => {
  it('tells JPEG and PNG by their magic bytes, and nothing else', async () => {
    expect(sniffFormat(await fixture('canon-ixus-2001_wedding-couple.jpg'))).to.equal('jpeg');
    expect(sniffFormat(await fixture('skimage_chelsea-cat.png'))).to.equal('png');
    expect(sniffFormat(await fixture('generated_chelsea-cat.gif'))).to.equal(undefined);
    expect(thrownRekognitionError(() => checkEncodedImage(new Uint8Array([0x47, 0x49, 0x46]), 'bytes')).type).to.equal(
      'InvalidImageFormatException',
    );
  });

  it('allows 15 MB from S3 but only 5 MB as Bytes', async () => {
    const sixMegabytes = await paddedJpeg(6 * 1024 * 1024);
    expect(checkEncodedImage(sixMegabytes, 's3')).to.equal('jpeg');
    expect(thrownRekognitionError(() => checkEncodedImage(sixMegabytes, 'bytes')).type).to.equal(
      'ImageTooLargeException',
    );
    expect(checkEncodedImage(await paddedJpeg(MAX_S3_OBJECT_BYTES), 's3')).to.equal('jpeg');
    const sixteenMegabytes = await paddedJpeg(16 * 1024 * 1024);
    expect(thrownRekognitionError(() => checkEncodedImage(sixteenMegabytes, 's3')).type).to.equal(
      'ImageTooLargeException',
    );
    expect(MAX_IMAGE_BYTES).to.equal(5 * 1024 * 1024);
  });

  it('applies EXIF orientation and downscales to the inference size', async () => {
    const landscape = await decodeForInference(await fixture('unsplash_landscape_orient6.jpg'));
    expect([landscape.width, landscape.height]).to.deep.equal([INFERENCE_LONG_SIDE_PX, 683]);
    const portrait = await decodeForInference(await fixture('unsplash_portrait_orient8.jpg'));
    expect([portrait.width, portrait.height]).to.deep.equal([683, INFERENCE_LONG_SIDE_PX]);
    expect(portrait.data.length).to.equal(683 * INFERENCE_LONG_SIDE_PX * 3);
  });

  it('gives 8-bit RGB whatever the encoding: grey, 16-bit, alpha, CMYK, palette', async () => {
    const cat = await fixture('skimage_chelsea-cat.png');
    const variants = [
      await sharp(cat).grayscale().png().toBuffer(),
      await sharp(cat).toColourspace('rgb16').png().toBuffer(),
      await sharp(cat).ensureAlpha(0.5).png().toBuffer(),
      await sharp(cat).toColourspace('cmyk').jpeg().toBuffer(),
      await sharp(cat).png({ palette: true }).toBuffer(),
    ];
    for (const bytes of variants) {
      const image = await decodeForInference(bytes);
      expect([image.width, image.height]).to.deep.equal([451, 300]);
      expect(image.data.length).to.equal(451 * 300 * 3);
    }
  });

  it('never enlarges a small photo', async () => {
    const cat = await decodeForInference(await fixture('skimage_chelsea-cat.png'));
    expect([cat.width, cat.height]).to.deep.equal([451, 300]);
  });

  it('refuses an image under 80 px on a side with InvalidParameterException, as AWS does', async () => {
    expect(
      (await rejectedRekognitionError(decodeForInference(await fixture('exifreader-fixture_iptc_tiny.jpg')))).type,
    ).to.equal('InvalidParameterException');
  });

  it('refuses more than 10,000 px on a side with ImageTooLargeException', async () => {
    const wide = await sharp({ create: { width: 10_001, height: 80, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    expect((await rejectedRekognitionError(decodeForInference(wide))).type).to.equal('ImageTooLargeException');
  });

  it('answers a file with JPEG magic but no picture with InvalidImageFormatException', async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 7)]);
    expect((await rejectedRekognitionError(decodeForInference(fake))).type).to.equal('InvalidImageFormatException');
  });
});
