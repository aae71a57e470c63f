"""Teaching kit: exercise checks and student/instructor editions of the training notebooks."""
