import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAgendaPage } from '../../server/import/markdown-agenda';
import { requireOptional } from '../helpers/env';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const seedPath = path.resolve(repoRoot, '../shared/seed/workshop-2023.md');
const haveSeed = requireOptional(
  'the seed page',
  existsSync(seedPath),
  'put a copy of shared/ (with seed/workshop-2023.md) beside the clone',
);

describe.skipIf(!haveSeed)('importing the real workshop page (issue 3, seed)', () => {
  const seed = (): ReturnType<typeof parseAgendaPage> => parseAgendaPage(readFileSync(seedPath, 'utf8'));

  it('gives exactly its 12 items, 10:00 intro to the 14:30 discussion, with Adjourn ending the last', () => {
    const { items } = seed();
    expect(items.map((i) => [i.start, i.minutes, i.kind])).toEqual([
      ['10:00', 15, 'other'],
      ['10:15', 15, 'other'],
      ['10:30', 20, 'talk'],
      ['10:50', 20, 'talk'],
      ['11:10', 20, 'talk'],
      ['11:30', 30, 'talk'],
      ['12:00', 60, 'break'],
      ['13:00', 20, 'talk'],
      ['13:20', 20, 'talk'],
      ['13:40', 20, 'talk'],
      ['14:00', 30, 'talk'],
      ['14:30', 150, 'discussion'],
    ]);
    expect(items[0]?.title).toBe('Brief intro (what is FL, purpose of the workshop)');
    expect(items[11]?.title).toBe('Discussion, next steps, assign tasks');
    expect(items.some((i) => /adjourn/i.test(i.title))).toBe(false);
  });

  it('takes speaker, affiliation and link from "**Name** (Affiliation): [url](url)" cells', () => {
    const byStart = new Map(seed().items.map((i) => [i.start, i]));
    expect(byStart.get('10:50')).toMatchObject({
      speaker: 'Marco Lorenzi',
      affiliation: 'INRIA',
      url: 'https://fedbiomed.gitlabpages.inria.fr/',
      title: 'Talk by Marco Lorenzi',
    });
    expect(byStart.get('10:30')).toMatchObject({
      speaker: 'Alexandros Karargyris',
      affiliation: 'IHU Strasbourg',
      url: 'https://www.medperf.org/',
    });
    expect(byStart.get('11:10')).toMatchObject({
      speaker: 'Spyros Bakas',
      affiliation: 'University of Pennsylvania',
      title: 'The Federated Tumor Segmentation initiative',
      url: 'https://www.med.upenn.edu/cbica/fets/',
    });
    expect(byStart.get('11:30')).toMatchObject({
      speaker: 'Julien Cohen-Adad',
      affiliation: 'Polytechnique Montreal / Mila',
      title: 'CODA',
      url: 'https://github.com/coda-platform',
    });
    expect(byStart.get('13:00')).toMatchObject({
      speaker: 'Brennan Nichyporuk',
      affiliation: 'McGill University / Mila',
      url: 'https://arxiv.org/pdf/2108.00713.pdf',
      title: 'Generalization across cohorts/sources (and accounting for biases) for MS lesion',
    });
    expect(byStart.get('13:40')).toMatchObject({
      speaker: 'Peter Chang',
      affiliation: 'University of California, Irvine',
      title: 'TensorFlow framework for medical FL',
      url: '',
    });
  });

  it('repairs the mis-encoded affiliation "CharitÃ© UniversitÃ¤tsmedizin" and says so', () => {
    const { items, warnings } = seed();
    expect(items.find((i) => i.start === '14:00')).toMatchObject({
      speaker: 'Lisa Nicole Schneider',
      affiliation: 'Charité Universitätsmedizin, Berlin',
      title: 'Hands-on experience with NVIDIA Flare',
    });
    expect(warnings.some((w) => /mis-encoded/.test(w))).toBe(true);
  });

  it('collapses the repeated "GRIP Architecture (Gates Ventures): GRIP Architecture" title with a warning naming the row', () => {
    const { items, warnings } = seed();
    expect(items.find((i) => i.start === '13:20')).toMatchObject({
      speaker: 'Farhad Imam',
      affiliation: 'Gates Ventures',
      title: 'GRIP Architecture',
    });
    expect(warnings.some((w) => w.includes('row 9') && w.includes('GRIP Architecture'))).toBe(true);
  });

  it('reads the break row as a break of 60 minutes', () => {
    const brk = seed().items.find((i) => i.start === '12:00');
    expect(brk).toMatchObject({ minutes: 60, kind: 'break', speaker: '' });
    expect(brk?.title).toMatch(/^Break/);
  });

  it('finds the date, the Eastern zone, the title and the Zoom, registration and Miro links', () => {
    const { meta } = seed();
    expect(meta).toEqual({
      title: 'Workshop on Federated Learning for Multiple Sclerosis Lesion Segmentation',
      timeZone: 'America/New_York',
      date: '2023-01-20',
      links: {
        meeting: 'https://polymtl-ca.zoom.us/j/89691175199',
        registration: 'https://forms.gle/htyGwLcVaH1grpKZ6',
        whiteboard: 'https://miro.com/app/board/uXjVPyYHVis=/',
      },
    });
  });
});
