import { axisValue } from '../model/lookup.js';
import type { Matrix, Stage } from '../model/model.js';

/** The name of a stage's node for the given values: stage, then each axis label in axis order. */
export function nodeName(m: Matrix, stage: Stage, values: Record<string, string>): string {
  return [stage.name, ...axisLabels(m, stage.axes, values)].join('-');
}

/** A node's per-arch twin: `runtime-vllm-cuda12-amd64`. */
export function twinName(m: Matrix, node: string, arch: string): string {
  return `${node}-${valueLabel(m, m.arch!.name, arch)}`;
}

export function valueLabel(m: Matrix, axis: string, value: string): string {
  return axisValue(m, axis, value)?.label ?? value;
}

function axisLabels(m: Matrix, stageAxes: string[], values: Record<string, string>): string[] {
  // Axis order is the matrix's, not the stage's, so `axes = ["cuda", "framework"]` names alike.
  return m.axes.filter((a) => stageAxes.includes(a.name)).map((a) => valueLabel(m, a.name, values[a.name]!));
}

/** Bake target and group names: what buildx accepts. */
export const BAKE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Longest target name: it becomes a tag suffix (`<VERSION>-<name>`) and a cache tag
 * (`<name>-<branch>`), and Docker caps a tag at 128 characters; this leaves room for the rest.
 */
export const MAX_NAME_LENGTH = 100;
