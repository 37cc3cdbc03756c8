/**
 * Training fraud models in Java on a {@link dev.sluice.jobs.training.TrainingSet}: {@link
 * dev.sluice.jobs.training.model.ModelTrainer} standardises (fitted on the train split), trains a
 * Tribuo model ({@link dev.sluice.jobs.training.model.ModelKind}), evaluates it on the test split
 * with the handbook's metrics ({@code dev.sluice.operators.evaluation}), profiles the train split
 * for drift monitoring and exports ONNX. The result, {@link
 * dev.sluice.jobs.training.model.TrainedModel}, builds a registration candidate ({@code
 * ModelVersion}) and carries the rows to verify the export with. {@link
 * dev.sluice.jobs.training.model.HandbookTable} puts the numbers beside the handbook's.
 */
package dev.sluice.jobs.training.model;
