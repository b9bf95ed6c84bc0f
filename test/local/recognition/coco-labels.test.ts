import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { COCO_TO_REKOGNITION, TAXONOMY, rekognitionName, taxonomyOf } from '../../../local/recognition/coco-labels';

/** The classes Human's CenterNet can emit, read from the label table the package ships. */
async function humanCocoClasses(): Promise<string[]> {
  const source = await readFile(
    require.resolve('@vladmandic/human').replace(/dist[\\/]human\.node\.js$/, 'src/object/labels.ts'),
    'utf8',
  );
  return [...source.matchAll(/label: '([^']+)'/g)].map((match) => match[1] as string);
}

describe('COCO classes named as Rekognition names them', () => {
  it('maps every class the model can emit to a label with a place in the taxonomy', async () => {
    const classes = await humanCocoClasses();
    expect(classes).to.have.length(80);
    for (const cocoClass of classes) {
      const name = COCO_TO_REKOGNITION[cocoClass];
      expect(name, cocoClass).to.be.a('string');
      expect(TAXONOMY, `${cocoClass} -> ${name}`).to.have.property(name as string);
    }
  });

  it('uses Rekognition spellings', () => {
    expect(rekognitionName('person')).to.equal('Person');
    expect(rekognitionName('sports ball')).to.equal('Sports Ball');
    expect(rekognitionName('cell phone')).to.equal('Mobile Phone');
    expect(rekognitionName('cup')).to.equal('Cup');
  });

  it('lists every ancestor as a parent, as the API does', () => {
    for (const [name, entry] of Object.entries(TAXONOMY)) {
      for (const parent of entry.parents) {
        expect(TAXONOMY, `${name} has unknown parent ${parent}`).to.have.property(parent);
        for (const grandparent of taxonomyOf(parent).parents) {
          expect(entry.parents, `${name} lacks ancestor ${grandparent} (via ${parent})`).to.include(grandparent);
        }
      }
      expect(entry.parents, name).not.to.include(name);
    }
  });

  it('places the photo subjects where Rekognition does', () => {
    expect(taxonomyOf('Cat').parents).to.have.members(['Animal', 'Mammal', 'Pet']);
    expect(taxonomyOf('Car').parents).to.have.members(['Transportation', 'Vehicle']);
    expect(taxonomyOf('Cup').parents).to.be.empty;
    expect(taxonomyOf('Person').categories).to.deep.equal(['Person Description']);
  });

  it('keeps a class the table does not know instead of dropping it', () => {
    expect(rekognitionName('hair brush')).to.equal('Hair Brush');
    expect(taxonomyOf('Hair Brush')).to.deep.equal({ parents: [], categories: [] });
  });
});
