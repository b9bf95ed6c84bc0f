/**
 * The 80 COCO classes of Human's CenterNet model, named and arranged the way Rekognition's label taxonomy names them,
 * so code written against Rekognition's answers ("Cat" with parents Animal, Mammal, Pet) reads local answers unchanged.
 * This is an approximation of Rekognition's taxonomy, built by hand: parents list every ancestor, as the API does.
 */

export interface TaxonomyEntry {
  parents: readonly string[];
  categories: readonly string[];
  aliases?: readonly string[];
}

const ANIMALS = 'Animals and Pets';
const VEHICLES = 'Vehicles and Automotive';
const FOOD = 'Food and Beverage';
const FURNITURE = 'Furniture and Furnishings';
const TECHNOLOGY = 'Technology and Computing';
const APPAREL = 'Apparel and Accessories';
const SPORTS = 'Sports';
const KITCHEN = 'Kitchen and Dining';
const HOME = 'Home and Indoors';
const PLANTS = 'Plants and Flowers';
const EVERYDAY = 'Everyday Objects';
const HOBBIES = 'Hobbies and Interests';
const PERSON = 'Person Description';
const PERSONAL_CARE = 'Beauty and Personal Care';
const PUBLIC_SAFETY = 'Public Safety';

const entry = (parents: string[], categories: string[], aliases?: string[]): TaxonomyEntry =>
  aliases ? { parents, categories, aliases } : { parents, categories };

/** Every label the local service can emit: the mapped COCO classes and all their ancestors. */
export const TAXONOMY: Readonly<Record<string, TaxonomyEntry>> = {
  // ancestors, emitted as labels of their own when a descendant is found
  Animal: entry([], [ANIMALS]),
  Mammal: entry(['Animal'], [ANIMALS]),
  Pet: entry(['Animal'], [ANIMALS]),
  Canine: entry(['Animal', 'Mammal'], [ANIMALS]),
  Livestock: entry(['Animal'], [ANIMALS]),
  Wildlife: entry(['Animal'], [ANIMALS]),
  Transportation: entry([], [VEHICLES]),
  Vehicle: entry(['Transportation'], [VEHICLES]),
  Aircraft: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Furniture: entry([], [FURNITURE]),
  Table: entry(['Furniture'], [FURNITURE]),
  Electronics: entry([], [TECHNOLOGY]),
  Computer: entry(['Electronics'], [TECHNOLOGY]),
  Hardware: entry(['Electronics'], [TECHNOLOGY]),
  'Computer Hardware': entry(['Electronics', 'Hardware'], [TECHNOLOGY]),
  Screen: entry(['Electronics'], [TECHNOLOGY]),
  Phone: entry(['Electronics'], [TECHNOLOGY]),
  Appliance: entry([], [HOME]),
  Accessories: entry([], [APPAREL]),
  Bag: entry(['Accessories'], [APPAREL]),
  'Sports Equipment': entry([], [SPORTS]),
  Ball: entry(['Sports Equipment'], [SPORTS]),
  Toy: entry([], [HOBBIES]),
  Cutlery: entry([], [KITCHEN]),
  Food: entry([], [FOOD]),
  Plant: entry([], [PLANTS]),
  Produce: entry(['Food'], [FOOD]),
  Fruit: entry(['Food', 'Plant', 'Produce'], [FOOD]),
  Vegetable: entry(['Food', 'Plant', 'Produce'], [FOOD]),
  Dessert: entry(['Food'], [FOOD]),
  Sign: entry([], [EVERYDAY]),

  // the COCO classes
  Person: entry([], [PERSON], ['Human']),
  Bicycle: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Car: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Motorcycle: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Airplane: entry(['Aircraft', 'Transportation', 'Vehicle'], [VEHICLES]),
  Bus: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Train: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Truck: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  Boat: entry(['Transportation', 'Vehicle'], [VEHICLES]),
  'Traffic Light': entry([], [PUBLIC_SAFETY]),
  'Fire Hydrant': entry([], [PUBLIC_SAFETY]),
  'Stop Sign': entry(['Sign'], [PUBLIC_SAFETY]),
  'Parking Meter': entry([], [EVERYDAY]),
  Bench: entry(['Furniture'], [FURNITURE]),
  Bird: entry(['Animal'], [ANIMALS]),
  Cat: entry(['Animal', 'Mammal', 'Pet'], [ANIMALS]),
  Dog: entry(['Animal', 'Canine', 'Mammal', 'Pet'], [ANIMALS]),
  Horse: entry(['Animal', 'Mammal'], [ANIMALS]),
  Sheep: entry(['Animal', 'Livestock', 'Mammal'], [ANIMALS]),
  Cow: entry(['Animal', 'Livestock', 'Mammal'], [ANIMALS], ['Cattle']),
  Elephant: entry(['Animal', 'Mammal', 'Wildlife'], [ANIMALS]),
  Bear: entry(['Animal', 'Mammal', 'Wildlife'], [ANIMALS]),
  Zebra: entry(['Animal', 'Mammal', 'Wildlife'], [ANIMALS]),
  Giraffe: entry(['Animal', 'Mammal', 'Wildlife'], [ANIMALS]),
  Backpack: entry(['Accessories', 'Bag'], [APPAREL]),
  Umbrella: entry([], [EVERYDAY]),
  Handbag: entry(['Accessories', 'Bag'], [APPAREL], ['Purse']),
  Tie: entry(['Accessories'], [APPAREL], ['Necktie']),
  Suitcase: entry(['Accessories', 'Bag'], [APPAREL], ['Luggage']),
  Frisbee: entry(['Toy'], [HOBBIES]),
  Ski: entry(['Sports Equipment'], [SPORTS]),
  Snowboard: entry(['Sports Equipment'], [SPORTS]),
  'Sports Ball': entry(['Ball', 'Sports Equipment'], [SPORTS]),
  Kite: entry(['Toy'], [HOBBIES]),
  'Baseball Bat': entry(['Sports Equipment'], [SPORTS]),
  'Baseball Glove': entry(['Sports Equipment'], [SPORTS]),
  Skateboard: entry(['Sports Equipment'], [SPORTS]),
  Surfboard: entry(['Sports Equipment'], [SPORTS]),
  'Tennis Racket': entry(['Sports Equipment'], [SPORTS]),
  Bottle: entry([], [KITCHEN]),
  'Wine Glass': entry([], [KITCHEN]),
  Cup: entry([], [KITCHEN]),
  Fork: entry(['Cutlery'], [KITCHEN]),
  Knife: entry(['Cutlery'], [KITCHEN]),
  Spoon: entry(['Cutlery'], [KITCHEN]),
  Bowl: entry([], [KITCHEN]),
  Banana: entry(['Food', 'Fruit', 'Plant', 'Produce'], [FOOD]),
  Apple: entry(['Food', 'Fruit', 'Plant', 'Produce'], [FOOD]),
  Sandwich: entry(['Food'], [FOOD]),
  Orange: entry(['Food', 'Fruit', 'Plant', 'Produce'], [FOOD]),
  Broccoli: entry(['Food', 'Plant', 'Produce', 'Vegetable'], [FOOD]),
  Carrot: entry(['Food', 'Plant', 'Produce', 'Vegetable'], [FOOD]),
  'Hot Dog': entry(['Food'], [FOOD]),
  Pizza: entry(['Food'], [FOOD]),
  Donut: entry(['Dessert', 'Food'], [FOOD]),
  Cake: entry(['Dessert', 'Food'], [FOOD]),
  Chair: entry(['Furniture'], [FURNITURE]),
  Couch: entry(['Furniture'], [FURNITURE], ['Sofa']),
  'Potted Plant': entry(['Plant'], [PLANTS]),
  Bed: entry(['Furniture'], [FURNITURE]),
  'Dining Table': entry(['Furniture', 'Table'], [FURNITURE]),
  Toilet: entry([], [HOME]),
  TV: entry(['Electronics', 'Screen'], [TECHNOLOGY], ['Television']),
  Laptop: entry(['Computer', 'Electronics'], [TECHNOLOGY]),
  Mouse: entry(['Computer Hardware', 'Electronics', 'Hardware'], [TECHNOLOGY]),
  'Remote Control': entry(['Electronics'], [TECHNOLOGY]),
  'Computer Keyboard': entry(['Computer Hardware', 'Electronics', 'Hardware'], [TECHNOLOGY]),
  'Mobile Phone': entry(['Electronics', 'Phone'], [TECHNOLOGY], ['Cell Phone']),
  Microwave: entry(['Appliance'], [HOME]),
  Oven: entry(['Appliance'], [HOME]),
  Toaster: entry(['Appliance'], [HOME]),
  Sink: entry([], [HOME]),
  Refrigerator: entry(['Appliance'], [HOME]),
  Book: entry([], [EVERYDAY]),
  Clock: entry([], [EVERYDAY]),
  Vase: entry([], [HOME]),
  Scissors: entry([], [EVERYDAY]),
  'Teddy Bear': entry(['Toy'], [HOBBIES]),
  'Blow Dryer': entry(['Appliance'], [PERSONAL_CARE], ['Hair Dryer']),
  Toothbrush: entry([], [PERSONAL_CARE]),
};

/** Human's COCO class names (its `ObjectType`), in the model's class order, to Rekognition's label names. */
export const COCO_TO_REKOGNITION: Readonly<Record<string, string>> = {
  person: 'Person',
  bicycle: 'Bicycle',
  car: 'Car',
  motorcycle: 'Motorcycle',
  airplane: 'Airplane',
  bus: 'Bus',
  train: 'Train',
  truck: 'Truck',
  boat: 'Boat',
  'traffic light': 'Traffic Light',
  'fire hydrant': 'Fire Hydrant',
  'stop sign': 'Stop Sign',
  'parking meter': 'Parking Meter',
  bench: 'Bench',
  bird: 'Bird',
  cat: 'Cat',
  dog: 'Dog',
  horse: 'Horse',
  sheep: 'Sheep',
  cow: 'Cow',
  elephant: 'Elephant',
  bear: 'Bear',
  zebra: 'Zebra',
  giraffe: 'Giraffe',
  backpack: 'Backpack',
  umbrella: 'Umbrella',
  handbag: 'Handbag',
  tie: 'Tie',
  suitcase: 'Suitcase',
  frisbee: 'Frisbee',
  skis: 'Ski',
  snowboard: 'Snowboard',
  'sports ball': 'Sports Ball',
  kite: 'Kite',
  'baseball bat': 'Baseball Bat',
  'baseball glove': 'Baseball Glove',
  skateboard: 'Skateboard',
  surfboard: 'Surfboard',
  'tennis racket': 'Tennis Racket',
  bottle: 'Bottle',
  'wine glass': 'Wine Glass',
  cup: 'Cup',
  fork: 'Fork',
  knife: 'Knife',
  spoon: 'Spoon',
  bowl: 'Bowl',
  banana: 'Banana',
  apple: 'Apple',
  sandwich: 'Sandwich',
  orange: 'Orange',
  broccoli: 'Broccoli',
  carrot: 'Carrot',
  'hot dog': 'Hot Dog',
  pizza: 'Pizza',
  donut: 'Donut',
  cake: 'Cake',
  chair: 'Chair',
  couch: 'Couch',
  'potted plant': 'Potted Plant',
  bed: 'Bed',
  'dining table': 'Dining Table',
  toilet: 'Toilet',
  tv: 'TV',
  laptop: 'Laptop',
  mouse: 'Mouse',
  remote: 'Remote Control',
  keyboard: 'Computer Keyboard',
  'cell phone': 'Mobile Phone',
  microwave: 'Microwave',
  oven: 'Oven',
  toaster: 'Toaster',
  sink: 'Sink',
  refrigerator: 'Refrigerator',
  book: 'Book',
  clock: 'Clock',
  vase: 'Vase',
  scissors: 'Scissors',
  'teddy bear': 'Teddy Bear',
  'hair drier': 'Blow Dryer',
  toothbrush: 'Toothbrush',
};

const NO_ENTRY: TaxonomyEntry = { parents: [], categories: [] };

/** A label's place in the taxonomy; a name outside it (a model newer than this table) stands alone. */
export function taxonomyOf(name: string): TaxonomyEntry {
  return TAXONOMY[name] ?? NO_ENTRY;
}

/** Rekognition's name for a COCO class; an unknown class is title-cased rather than dropped. */
export function rekognitionName(cocoLabel: string): string {
  return COCO_TO_REKOGNITION[cocoLabel] ?? cocoLabel.replace(/\b\w/g, (c) => c.toUpperCase());
}
