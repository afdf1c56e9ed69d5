import {
  centerOn,
  cullKey,
  fitView,
  screenToWorld,
  viewCenter,
  zoomAt,
  type Point,
  type View,
} from '$shared/ops/geometry';

/** Following someone's view or a discussed note never zooms out below this: text stays readable. */
export const READABLE_ZOOM = 0.6;
/** Height of the tools floating over the top of the canvas, with their margin. */
export const FLOATING_TOOLBAR_PX = 64;
/** The zoom a discussed note is shown at (at least). */
export const DISCUSSION_ZOOM = 1;

/**
 * The local camera of the canvas. Only the world layer's transform depends on
 * x/y/zoom; the set of rendered notes depends on `cull`, a string that
 * changes only when the view moves by about half a screen.
 */
export class Viewport {
  x = $state(40);
  y = $state(40);
  zoom = $state(1);
  width = $state(0);
  height = $state(0);
  /** False once the person pans or zooms while following the organizer's view. */
  following = $state(true);

  readonly cull: string = $derived(cullKey(this.view, this.width, this.height));

  get view(): View {
    return { x: this.x, y: this.y, zoom: this.zoom };
  }

  set(v: View): void {
    this.x = v.x;
    this.y = v.y;
    this.zoom = v.zoom;
  }

  /** A change the person made themselves: stops following the organizer. */
  userSet(v: View): void {
    this.following = false;
    this.set(v);
  }

  panBy(dx: number, dy: number): void {
    this.userSet({ x: this.x + dx, y: this.y + dy, zoom: this.zoom });
  }

  zoomAround(p: Point, factor: number): void {
    this.userSet(zoomAt(this.view, p, factor));
  }

  /** Zoom buttons act around the screen centre. */
  zoomBy(factor: number): void {
    this.zoomAround({ x: this.width / 2, y: this.height / 2 }, factor);
  }

  fit(notes: readonly Point[]): void {
    // Below the floating toolbar, so that nothing fitted starts under it (a phone's first view).
    this.userSet(fitView(notes, this.width, this.height, 40, FLOATING_TOOLBAR_PX));
  }

  toWorld(p: Point): Point {
    return screenToWorld(this.view, p);
  }

  get center(): Point {
    return viewCenter(this.view, this.width, this.height);
  }

  centerOn(p: Point, zoom = this.zoom): void {
    this.set(centerOn(p, zoom, this.width, this.height));
  }
}
