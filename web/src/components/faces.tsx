import type { FaceDetail, Faces } from '../api/types';

function faceWords(face: FaceDetail, index: number): string {
  const parts = [`Face ${index + 1}`];
  if (face.ageRange) parts.push(`${face.ageRange.low}–${face.ageRange.high} years`);
  if (face.emotion) parts.push(face.emotion.type.toLowerCase());
  if (face.smile) parts.push(face.smile.value ? 'smiling' : 'not smiling');
  if (face.eyesOpen) parts.push(face.eyesOpen.value ? 'eyes open' : 'eyes closed');
  parts.push(`${face.confidence.toFixed(1)}% sure`);
  return parts.join(', ');
}

/** Boxes over the photo, numbered as in the list (the list carries the words; the boxes are decoration). */
export function FaceBoxes({ details }: { details: FaceDetail[] }) {
  return (
    <div className="face-boxes" aria-hidden="true">
      {details.map((face, index) => (
        <span
          key={index}
          className="face-box"
          style={{
            left: `${face.boundingBox.left * 100}%`,
            top: `${face.boundingBox.top * 100}%`,
            width: `${face.boundingBox.width * 100}%`,
            height: `${face.boundingBox.height * 100}%`,
          }}
        >
          {index + 1}
        </span>
      ))}
    </div>
  );
}

export function FacesSection({ faces }: { faces: Faces }) {
  const count = faces.count;
  return (
    <section aria-labelledby="faces-heading">
      <h2 id="faces-heading">Faces</h2>
      <p>{count === 0 ? 'No face detected.' : count === 1 ? 'One face detected.' : `${count} faces detected.`}</p>
      {faces.details && faces.details.length > 0 ? (
        <ol className="faces">
          {faces.details.map((face, index) => (
            <li key={index}>{faceWords(face, index)}</li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
